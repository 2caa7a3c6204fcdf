"""Publishing a promoted model: forecasts first, then the version goes live; the rule checked again."""

import json

import pytest

from smartretail.adapters.memory import MemoryForecastStore, MemoryModelRegistry
from smartretail.forecasting.publishing import batch_requests, decision_document, forecasts_from_batch_output, publish


def _record(version: str, wape: float, baseline: float = 0.5) -> dict:
    return {"model_version": version, "created_at": f"2026-11-{version[-2:]}T00:00:00+00:00", "trained_through": "2026-10-31",
            "wape": wape, "backtest": {"overall": {"smartretail": {"wape": wape}, "seasonal_naive": {"wape": baseline}},
                                       "best_baseline": "seasonal_naive"}}


def _output(*skus: str) -> list[str]:
    """Batch transform output: one endpoint response per line."""
    return [json.dumps({"forecasts": [{"store_id": "S01", "sku_id": sku, "date": f"2026-11-0{d}", "p10": 1.0, "p50": 2.0,
                                       "p90": 3.0, "drivers": []} for d in (1, 2)], "unknown_series": []}) for sku in skus] + [""]


def test_a_better_model_publishes_its_forecasts_then_goes_live_and_archives_the_old_one():
    store, registry = MemoryForecastStore(), MemoryModelRegistry()
    assert publish("t1", _record("fc-01", 0.4), _output("A", "B"), store, registry)["status"] == "live"
    result = publish("t1", _record("fc-02", 0.3), _output("A"), store, registry)
    assert result == {"status": "live", "reason": "backtest WAPE 0.3 beats the baselines and fc-01", "series": 1}
    statuses = {v["model_version"]: v["status"] for v in registry.versions("t1")}
    assert statuses == {"fc-01": "archived", "fc-02": "live"}
    days = store.series("t1", "S01", "A", "2026-11-01", "2026-11-30")
    assert [d["model_version"] for d in days] == ["fc-02", "fc-02"]


def test_a_model_beaten_since_the_choice_is_rejected_and_nothing_is_written():
    store, registry = MemoryForecastStore(), MemoryModelRegistry()
    publish("t1", _record("fc-01", 0.2), _output("A"), store, registry)
    result = publish("t1", _record("fc-02", 0.3), _output("B"), store, registry)
    assert result["status"] == "rejected"
    assert "does not beat the live model fc-01" in result["reason"]
    assert store.series("t1", "S01", "B", "2026-11-01", "2026-11-30") == []


def test_an_empty_batch_forecast_is_an_error_not_a_live_model_without_forecasts():
    registry = MemoryModelRegistry()
    with pytest.raises(ValueError, match="empty"):
        publish("t1", _record("fc-01", 0.2), [""], MemoryForecastStore(), registry)
    assert registry.versions("t1") == []


def test_batch_requests_group_skus_by_store_in_chunks_the_endpoint_accepts():
    series = [f"S01|SKU-{i:03d}" for i in range(120)] + ["S02|A"]
    requests = batch_requests(series, 28)
    assert [(r["store_id"], len(r["sku_ids"])) for r in requests] == [("S01", 50), ("S01", 50), ("S01", 20), ("S02", 1)]
    assert forecasts_from_batch_output(_output("A")).keys() == {("S01", "A")}


def test_the_decision_document_names_the_best_baseline():
    document = decision_document(_record("fc-01", 0.3, baseline=0.45))
    assert (document["wape"], document["best_baseline"], document["best_baseline_wape"]) == (0.3, "seasonal_naive", 0.45)
