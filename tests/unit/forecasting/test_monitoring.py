"""The live forecast watched in production: realised accuracy per version, week and category, the
week-over-week alert, drift against the training window, and retraining asked at most weekly."""

from datetime import date, timedelta

from smartretail.adapters.memory import (MemoryForecastStore, MemoryItemStore, MemoryModelRegistry, MemoryQueryEngine,
                                         MemoryRetrainRequests)
from smartretail.forecasting.monitoring import ModelMonitor, realised_accuracy, weekly_overall, worsened

TODAY = date(2025, 3, 20)  # a Thursday
MONDAY = date(2025, 2, 24)  # three complete weeks before TODAY's week: Feb 24, Mar 3, Mar 10


class Alerts:
    def __init__(self):
        self.raised = []

    def raise_alert(self, tenant_id, kind, subject, severity, title, details, store_id=None, sku_id=None):
        self.raised.append((tenant_id, kind, subject, title))
        return {}, True


def _world(last_week_factor=1.0, price=2.0, drift_reference=None):
    days = [MONDAY + timedelta(days=i) for i in range(21)]
    actuals, forecasts = [], MemoryForecastStore()
    for sku, category in (("A", "Drinks"), ("B", "Snacks")):
        served = []
        for i, day in enumerate(days):
            units = 10.0 * (last_week_factor if i >= 14 else 1.0)
            actuals.append({"tenant_id": "t", "store_id": "S1", "sku_id": sku, "category": category, "dt": day.isoformat(),
                            "units": units, "price": price, "promo_flag": False})
            served.append({"date": day.isoformat(), "p10": 8.0, "p50": 11.0 if i < 7 else 9.0, "p90": 14.0,
                           "model_version": "v1" if i < 7 else "v2"})
        forecasts.put_series("t", "S1", sku, served)
    registry = MemoryModelRegistry()
    registry.record("t", {"model_version": "v2", "status": "live", "trained_through": "2025-03-02", "wape": 0.1,
                          "drift": drift_reference or {}})
    items, retrain, alerts = MemoryItemStore(), MemoryRetrainRequests(), Alerts()
    monitor = ModelMonitor(MemoryQueryEngine(actuals), forecasts, registry, items, alerts, retrain, today=lambda: TODAY)
    return monitor, items, retrain, alerts


def test_accuracy_is_kept_per_version_week_and_category():
    monitor, items, retrain, alerts = _world()
    result = monitor.check("t")
    rows = monitor.accuracy("t")["by_version_week_category"]
    first = {(r["model_version"], r["week_start"], r["category"]): r for r in rows}
    assert first[("v1", "2025-02-24", "Drinks")] | {} == {"model_version": "v1", "week_start": "2025-02-24", "category": "Drinks",
                                                         "days": 7, "actual_units": 70.0, "wape": 0.1, "bias": 0.1}
    assert first[("v2", "2025-03-03", "ALL")]["bias"] == -0.1 and first[("v2", "2025-03-03", "ALL")]["days"] == 14
    assert [w["week_start"] for w in result["weeks"]] == ["2025-02-24", "2025-03-03", "2025-03-10"]
    assert result["worsened"] is None and alerts.raised == [] and retrain.requests == []
    assert monitor.accuracy("other")["weeks"] == []


def test_a_week_more_than_ten_percent_worse_raises_the_alert_and_asks_for_retraining_once_a_week():
    monitor, items, retrain, alerts = _world(last_week_factor=1.5)  # the last week sold half as much again
    result = monitor.check("t")
    assert result["worsened"]["week_start"] == "2025-03-10" and result["worsened"]["previous_wape"] == 0.1
    assert alerts.raised[0][1:3] == ("forecast_accuracy", "week#2025-03-10")
    assert result["retraining"]["requested"] and retrain.requests[0][0] == "t" and "worse than the week before" in retrain.requests[0][1][0]
    again = monitor.check("t")
    assert again["retraining"] == {"requested": False, "reason": "retraining was asked on 2025-03-20 already"}
    assert len(retrain.requests) == 1


def test_prices_far_from_the_training_window_count_as_drift():
    reference = {"features": {"price": {"psi": 0.0, "reference": {"edges": [1.5, 1.9, 2.1], "shares": [0.05, 0.2, 0.7, 0.05]}},
                              "y": {"psi": 0.0, "reference": {"edges": [2.0, 2.5], "shares": [0.0, 1.0, 0.0]}}}}
    monitor, _, retrain, _ = _world(price=1.0, drift_reference=reference)  # every recent price below the old range
    result = monitor.check("t")
    assert result["psi"]["price"] > 0.2 and result["psi"]["y"] < 0.2
    assert "price PSI" in retrain.requests[0][1][0]


def test_worsened_needs_two_complete_weeks():
    weeks = [{"week_start": "2025-03-10", "wape": 0.1}, {"week_start": "2025-03-17", "wape": 0.5}]
    assert worsened(weeks, date(2025, 3, 20)) is None  # the week of the 17th is not over
    assert worsened(weeks, date(2025, 3, 24))["change"] == 4.0
    assert realised_accuracy([], {}) == [] and weekly_overall([]) == []
