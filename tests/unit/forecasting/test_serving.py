import pytest
from pydantic import ValidationError

from smartretail.adapters.memory import MemoryForecastStore, MemoryModelRegistry
from smartretail.forecasting.artefacts import should_promote
from smartretail.forecasting.serving import ForecastRequest, ForecastService, live_model


def _decision(ours, best_wape=0.4):
    return {"model_version": "v2", "wape": ours, "best_baseline": "autoets", "best_baseline_wape": best_wape}


def test_a_model_that_beats_the_best_baseline_is_promoted_when_nothing_is_live():
    assert should_promote(_decision(0.3), None) == (True, "backtest WAPE 0.3 beats the baselines")


def test_a_model_no_better_than_the_best_baseline_is_not_promoted():
    assert should_promote(_decision(0.4), None) == (False, "backtest WAPE 0.4 does not beat autoets (0.4)")


def test_a_model_no_better_than_the_live_one_is_not_promoted():
    promote, reason = should_promote(_decision(0.3), {"model_version": "v1", "wape": 0.25})
    assert not promote
    assert reason == "backtest WAPE 0.3 does not beat the live model v1 (0.25)"


def test_a_model_with_an_undefined_wape_is_never_promoted():
    assert not should_promote(_decision(float("nan"), None), None)[0]


def test_requests_are_normalised_and_bounded():
    request = ForecastRequest(store_id=" s01 ", sku_ids=["a", "A", "b"])
    assert request.store_id == "S01"
    assert request.sku_ids == ["A", "B"]
    assert request.horizon_days == 28
    with pytest.raises(ValidationError):
        ForecastRequest(store_id="S01", sku_ids=["A"], horizon_days=91)
    with pytest.raises(ValidationError):
        ForecastRequest(store_id="S01; drop", sku_ids=["A"])


def test_stored_forecasts_are_served_from_the_live_model_and_summed_by_week():
    store, registry = MemoryForecastStore(), MemoryModelRegistry()
    registry.record("t", {"model_version": "v1", "status": "archived", "trained_through": "2024-01-07", "wape": 0.3})
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2024-01-07", "wape": 0.2})
    store.put_series("t", "S1", "A", [
        {"date": f"2024-01-{d:02d}", "p10": 1.0, "p50": 2.0, "p90": 4.0, "model_version": "v2",
         "drivers": [{"driver": "promotion", "effect_pct": 30.0}]} for d in range(8, 22)
    ])
    assert live_model(registry, "t")["model_version"] == "v2"
    service = ForecastService(store, registry, engine=None)
    result = service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=14, granularity="week"))
    item = result["forecasts"][0]
    assert item["method"] == "ml"
    assert item["model_version"] == "v2"
    # A week's expected units add each day's 0.3 P10 + 0.4 P50 + 0.3 P90 (2.3 a day): a skewed day sells more than its median.
    assert item["series"] == [
        {"week_start": "2024-01-08", "days": 7, "yhat": 14.0, "yhat_lower": 7.0, "yhat_upper": 28.0, "expected": 16.1},
        {"week_start": "2024-01-15", "days": 7, "yhat": 14.0, "yhat_lower": 7.0, "yhat_upper": 28.0, "expected": 16.1},
    ]
    assert item["drivers"] == [{"driver": "promotion", "effect_pct": 30.0, "direction": "up", "impact": "high"}]
    assert [m["live"] for m in service.models("t")] == [True, False]


class _Endpoint:
    """The tenant's endpoint, answering as the inference handlers do."""

    def __init__(self, trained_through: str = "2024-01-07"):
        self.trained_through = trained_through
        self.requests: list[dict] = []

    def invoke(self, tenant_id, request):
        self.requests.append(request)
        return {"trained_through": self.trained_through, "unknown_series": [], "forecasts": [
            {"store_id": request["store_id"], "sku_id": sku, "date": f"2024-01-{d:02d}", "p10": 5.0, "p50": 6.0, "p90": 7.0,
             "drivers": [{"driver": "weekday", "effect_pct": -8.0}]}
            for sku in request["sku_ids"] for d in range(8, 8 + request["horizon_days"])]}


def _stored_week():
    store, registry = MemoryForecastStore(), MemoryModelRegistry()
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2024-01-07", "wape": 0.2})
    store.put_series("t", "S1", "A", [{"date": f"2024-01-{d:02d}", "p10": 1.0, "p50": 2.0, "p90": 3.0, "model_version": "v2",
                                       "drivers": []} for d in range(8, 15)])
    return store, registry


def test_days_beyond_the_stored_horizon_come_from_the_same_models_endpoint():
    store, registry = _stored_week()
    endpoint = _Endpoint()
    result = ForecastService(store, registry, engine=None, endpoint=endpoint).forecast(
        "t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=10))
    item = result["forecasts"][0]
    assert [p["date"] for p in item["series"]] == [f"2024-01-{d:02d}" for d in range(8, 18)]
    assert [p["yhat"] for p in item["series"]] == [2.0] * 7 + [6.0] * 3  # stored days are kept, the tail is added
    assert "on demand" in item["note"]
    assert endpoint.requests == [{"store_id": "S1", "sku_ids": ["A"], "horizon_days": 10}]


def test_without_an_endpoint_for_the_live_model_the_stored_days_are_served_and_the_gap_is_said():
    store, registry = _stored_week()
    for endpoint in (None, _Endpoint(trained_through="2023-12-31")):  # none, or still serving the previous model
        item = ForecastService(store, registry, engine=None, endpoint=endpoint).forecast(
            "t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=10))["forecasts"][0]
        assert len(item["series"]) == 7
        assert "end on 2024-01-14" in item["note"]


def test_a_models_forecast_is_kept_until_another_model_is_live():
    from smartretail.adapters.memory import MemoryResultCache

    store, registry, cache = MemoryForecastStore(), MemoryModelRegistry(), MemoryResultCache()
    registry.record("t", {"model_version": "v1", "status": "live", "trained_through": "2024-01-07", "wape": 0.2})
    store.put_series("t", "S1", "A", [{"date": f"2024-01-{d:02d}", "p10": 1.0, "p50": 2.0, "p90": 3.0, "drivers": []}
                                      for d in range(8, 22)])
    service = ForecastService(store, registry, engine=None, cache=cache)
    request = ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=14)
    first = service.forecast("t", request)
    store.fail_next(AssertionError("read again instead of from the cache"), times=5)
    assert service.forecast("t", request) == first
    store._faults.clear()
    registry.record("t", {"model_version": "v1", "status": "archived", "trained_through": "2024-01-07", "wape": 0.2})
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2024-01-07", "wape": 0.1,
                          "created_at": "2024-02-01"})
    assert service.forecast("t", request)["forecasts"][0]["model_version"] == "v2"


def test_history_days_adds_actual_units_and_the_seasonal_naive_baseline_with_the_live_model():
    from smartretail.adapters.memory import MemoryQueryEngine

    store, registry = MemoryForecastStore(), MemoryModelRegistry()
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2024-01-28", "wape": 0.2,
                          "backtest": {"best_baseline": "seasonal_naive", "overall": {"seasonal_naive": {"wape": 0.35}}}})
    store.put_series("t", "S1", "A", [{"date": f"2024-01-{d:02d}", "p10": 1.0, "p50": 2.0, "p90": 3.0, "model_version": "v2"}
                                      for d in range(29, 32)])
    # Four weeks of sales, units = the day of the month; 2024-01-22..28 is the last observed week.
    engine = MemoryQueryEngine([{"tenant_id": "t", "store_id": "S1", "sku_id": "A", "dt": f"2024-01-{d:02d}", "units": float(d)}
                                for d in range(1, 29)])
    service = ForecastService(store, registry, engine=engine)
    result = service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=3, history_days=7))
    item = result["forecasts"][0]
    assert [h["date"] for h in item["history"]] == [f"2024-01-{d:02d}" for d in range(22, 29)]
    assert item["history"][-1]["units"] == 28.0
    # 2024-01-29 is a Monday: the last observed Monday is the 22nd.
    assert item["baseline"] == [{"date": "2024-01-29", "yhat": 22.0}, {"date": "2024-01-30", "yhat": 23.0},
                                {"date": "2024-01-31", "yhat": 24.0}]
    assert result["live_model"] == {"model_version": "v2", "trained_through": "2024-01-28", "wape": 0.2,
                                    "best_baseline": "seasonal_naive", "best_baseline_wape": 0.35}
    without = service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=3))["forecasts"][0]
    assert "history" not in without and "baseline" not in without


def test_a_managers_override_is_served_beside_the_models_value_until_it_expires_and_is_audited():
    from datetime import date

    from smartretail.adapters.memory import MemoryItemStore
    from smartretail.audit import AuditTrail
    from smartretail.auth import Principal
    from smartretail.errors import InvalidRequest
    from smartretail.forecasting.overrides import ForecastOverrides, OverrideRequest
    from smartretail.forecasting.serving import forecast_csv

    store, registry, items = MemoryForecastStore(), MemoryModelRegistry(), MemoryItemStore()
    audit = AuditTrail(MemoryItemStore())
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2024-01-07", "wape": 0.2})
    store.put_series("t", "S1", "A", [{"date": f"2024-01-{d:02d}", "p10": 8.0, "p50": 10.0, "p90": 12.0, "model_version": "v2"}
                                      for d in range(8, 22)])
    today = {"day": date(2024, 1, 8)}
    overrides = ForecastOverrides(items, audit, today=lambda: today["day"])
    manager = Principal(user_id="m1", tenant_id="t", groups=frozenset({"managers"}))
    overrides.create(manager, OverrideRequest(store_id="s1", sku_id="a", start="2024-01-10", end="2024-01-11", percent=50,
                                              reason="street festival"))
    overrides.create(manager, OverrideRequest(store_id="S1", sku_id="A", start="2024-01-11", end="2024-01-12", value=0,
                                              reason="delisted for two days"))
    service = ForecastService(store, registry, engine=None, overrides=overrides)
    days = service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=7))["forecasts"][0]["series"]
    by_day = {d["date"]: d for d in days}
    assert (by_day["2024-01-09"]["yhat"], "override" not in by_day["2024-01-09"]) == (10.0, True)
    assert by_day["2024-01-10"].items() >= {"yhat": 15.0, "yhat_lower": 12.0, "yhat_upper": 18.0, "model_yhat": 10.0}.items()
    assert by_day["2024-01-10"]["override"]["reason"] == "street festival"
    assert (by_day["2024-01-11"]["yhat"], by_day["2024-01-11"]["override"]["reason"]) == (0.0, "delisted for two days")  # the latest wins
    exported = forecast_csv(service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=7)), "day")
    assert "S1,A,2024-01-10,15.0,12.0,18.0,15.0,ml,v2,10.0,street festival" in exported  # expected units from the new values
    weeks = service.forecast("t", ForecastRequest(store_id="S1", sku_ids=["A"], horizon_days=7, granularity="week"))
    assert weeks["forecasts"][0]["series"][0].items() >= {"yhat": 55.0, "model_yhat": 70.0, "overridden_days": 3}.items()
    assert [e["action"] for e in audit.entries("t")] == ["forecast_override.create"] * 2
    # Expired: no longer applied nor listed (unless asked); one that would start expired is refused.
    today["day"] = date(2024, 1, 12)
    assert [o["reason"] for o in overrides.list("t", "S1")] == ["delisted for two days"]
    assert len(overrides.list("t", include_expired=True)) == 2
    with pytest.raises(InvalidRequest):
        overrides.create(manager, OverrideRequest(store_id="S1", sku_id="A", start="2024-01-01", end="2024-01-02", value=3, reason="late"))
    gone = overrides.delete(manager, overrides.list("t")[0]["override_id"])
    assert gone["deleted"] and overrides.list("t") == [] and audit.entries("t")[0]["action"] == "forecast_override.delete"
    assert overrides.list("other-tenant", include_expired=True) == []


def test_an_override_needs_a_value_or_a_percent_a_reason_and_a_sane_range():
    from smartretail.forecasting.overrides import OverrideRequest

    base = {"store_id": "S1", "sku_id": "A", "start": "2024-01-10", "end": "2024-01-11", "reason": "festival"}
    for bad in ({}, {"value": 3, "percent": 10}, {"percent": -150}, {"value": 3, "end": "2024-01-01"},
                {"value": 3, "reason": ""}, {"value": 3, "end": "2025-06-01"}):
        with pytest.raises(ValidationError):
            OverrideRequest(**{**base, **bad})
