"""Watching the live forecast in production: realised accuracy as actuals arrive, and drift.

Every day (the alerts evaluator's run) the monitor reads the curated actuals of the last weeks and the
forecasts that were served for those days (the forecasts table keeps each day's forecast with the
version that made it), and keeps the realised WAPE and bias per model version, ISO week and category.
When the last complete week is more than 10% worse than the week before (the design's threshold) it
raises a `forecast_accuracy` alert. It also compares the recent weeks' units, prices and promotions
with the live version's training-window reference (its drift report) by PSI. Either an accuracy alert
or a PSI above 0.2 asks for retraining: an EventBridge event the training pipeline's rule starts a
run from, at most once a week per tenant.

Runs in the evaluator Lambda: standard library only (PSI is recomputed here from the stored bins,
with smartretail.forecasting.drift's formula and threshold).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Protocol

from ..ports import ForecastStore, ItemStore, ModelRegistry, QueryEngine
from .drift import PSI_ALERT, psi_from_shares
from .serving import live_model

WEEKS = 8
WORSENING = 0.10  # a week more than 10% worse than the week before raises the alert
RETRAIN_EVERY_DAYS = 7  # a tenant is not asked to retrain again within a week
ACCURACY_KEY = "monitor#accuracy"
LATEST_KEY = "monitor#latest"
RETRAIN_KEY = "monitor#retrain"

ACTUALS_SQL = """
SELECT store_id, sku_id, category, dt, units, price, promo_flag
FROM {sales_daily}
WHERE tenant_id = ? AND dt >= ?
"""


class RetrainRequests(Protocol):
    def request(self, tenant_id: str, reasons: list[str]) -> str:
        """Ask for a training run of the tenant (an event the training pipeline's rule starts); an id."""


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def realised_accuracy(actuals: list[dict[str, Any]], served: dict[tuple[str, str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """WAPE and bias of the served P50 against actual units, per model version, week and category
    (and "ALL" categories), over the days that have both. Weeks are ISO weeks (Monday first)."""
    sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])  # |error|, error, actual, days
    forecast_by_day = {(store, sku, d["date"]): d for (store, sku), days in served.items() for d in days}
    for row in actuals:
        day = str(row["dt"])[:10]
        found = forecast_by_day.get((row["store_id"], row["sku_id"], day))
        if found is None:
            continue
        actual, forecast = float(row["units"] or 0.0), float(found["p50"])
        week = week_start(date.fromisoformat(day)).isoformat()
        for category in (row.get("category") or "UNCATEGORISED", "ALL"):
            total = sums[(found.get("model_version") or "unknown", week, category)]
            total[0] += abs(forecast - actual)
            total[1] += forecast - actual
            total[2] += actual
            total[3] += 1
    return [{"model_version": version, "week_start": week, "category": category, "days": int(n),
             "actual_units": round(actual, 2),
             "wape": round(abs_error / actual, 4) if actual > 0 else None, "bias": round(error / actual, 4) if actual > 0 else None}
            for (version, week, category), (abs_error, error, actual, n) in sorted(sums.items())]


def weekly_overall(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All categories and versions served in each week, oldest first: what users experienced."""
    weeks: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in rows:
        if row["category"] == "ALL" and row["wape"] is not None:
            weeks[row["week_start"]][0] += row["wape"] * row["actual_units"]
            weeks[row["week_start"]][1] += row["actual_units"]
    return [{"week_start": week, "wape": round(error / actual, 4)} for week, (error, actual) in sorted(weeks.items()) if actual > 0]


def worsened(weeks: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """The last complete week against the one before, when it is more than 10% worse."""
    complete = [w for w in weeks if date.fromisoformat(w["week_start"]) + timedelta(days=7) <= today]
    if len(complete) < 2:
        return None
    before, last = complete[-2], complete[-1]
    if before["wape"] > 0 and last["wape"] > before["wape"] * (1 + WORSENING):
        return {"week_start": last["week_start"], "wape": last["wape"], "previous_week_start": before["week_start"],
                "previous_wape": before["wape"], "change": round(last["wape"] / before["wape"] - 1, 4)}
    return None


def psi(reference: dict[str, Any], values: list[float]) -> float | None:
    """PSI of values against stored bins (see smartretail.forecasting.drift), without numpy."""
    edges, shares = reference.get("edges") or [], reference.get("shares") or []
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values or not shares:
        return None
    counts = [0] * (len(edges) + 1)
    for v in values:
        counts[bisect.bisect_right(edges, v)] += 1
    return psi_from_shares(shares, [c / len(values) for c in counts])


def recent_drift(actuals: list[dict[str, Any]], reference: dict[str, Any], since: date) -> dict[str, float | None]:
    """PSI of the recent days' units (log scale), prices and promotions against the live version's
    training-window reference bins."""
    recent = [r for r in actuals if str(r["dt"])[:10] >= since.isoformat()]
    columns = {"y": lambda r: math.log1p(float(r["units"] or 0.0)),
               "price": lambda r: float(r["price"]) if r.get("price") is not None else None,
               "promo": lambda r: 1.0 if str(r.get("promo_flag")).lower() in ("true", "1") else 0.0}
    return {name: psi(feature["reference"], [columns[name](r) for r in recent])
            for name, feature in (reference.get("features") or {}).items() if name in columns}


def _today() -> date:
    return datetime.now(timezone.utc).date()


class ModelMonitor:
    def __init__(self, engine: QueryEngine, forecasts: ForecastStore, registry: ModelRegistry, items: ItemStore,
                 alerts: Any, retrain: RetrainRequests | None, today: Callable[[], date] = _today):
        self._engine, self._forecasts, self._registry, self._items = engine, forecasts, registry, items
        self._alerts, self._retrain, self._today = alerts, retrain, today

    def check(self, tenant_id: str) -> dict[str, Any]:
        """One day's look at a tenant's live model: accuracy kept, alert raised, retraining asked."""
        today = self._today()
        live = live_model(self._registry, tenant_id)
        if live is None:
            return {"status": "no live model"}
        start = week_start(today - timedelta(days=7 * WEEKS))
        actuals = self._engine.query(ACTUALS_SQL, [tenant_id, start.isoformat()])
        served = {}
        for store_id, sku_id in sorted({(r["store_id"], r["sku_id"]) for r in actuals}):
            days = self._forecasts.series(tenant_id, store_id, sku_id, start.isoformat(), today.isoformat())
            if days:
                served[(store_id, sku_id)] = days
        rows = realised_accuracy(actuals, served)
        weeks = weekly_overall(rows)
        self._items.put(tenant_id, ACCURACY_KEY, {"computed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                                  "rows": rows, "weeks": weeks, "live_model": live["model_version"]})
        reasons = []
        worse = worsened(weeks, today)
        if worse:
            reasons.append(f"forecast WAPE of the week of {worse['week_start']} was {worse['wape']:.1%}, "
                           f"{worse['change']:.0%} worse than the week before ({worse['previous_wape']:.1%})")
            self._alerts.raise_alert(tenant_id, "forecast_accuracy", f"week#{worse['week_start']}", "medium",
                                     f"Forecast accuracy worsened by {worse['change']:.0%} in the week of {worse['week_start']}",
                                     worse)
        drift = recent_drift(actuals, live.get("drift") or {}, today - timedelta(days=28))
        drifted = {name: value for name, value in drift.items() if value is not None and value > PSI_ALERT}
        if drifted:
            reasons.append("recent data drifted from the live model's training window: " +
                           ", ".join(f"{name} PSI {value}" for name, value in sorted(drifted.items())))
        result = {"status": "checked", "live_model": live["model_version"], "weeks": weeks, "worsened": worse, "psi": drift,
                  "retraining": None}
        if reasons and self._retrain is not None:
            last = self._items.get(tenant_id, RETRAIN_KEY)
            if last and date.fromisoformat(last["requested_on"]) > today - timedelta(days=RETRAIN_EVERY_DAYS):
                result["retraining"] = {"requested": False, "reason": f"retraining was asked on {last['requested_on']} already"}
            else:
                request_id = self._retrain.request(tenant_id, reasons)
                self._items.put(tenant_id, RETRAIN_KEY, {"requested_on": today.isoformat(), "reasons": reasons, "request_id": request_id})
                result["retraining"] = {"requested": True, "reasons": reasons, "request_id": request_id}
        self._items.put(tenant_id, LATEST_KEY, {**result, "checked_on": today.isoformat()})
        return result

    def accuracy(self, tenant_id: str) -> dict[str, Any]:
        return read_accuracy(self._items, tenant_id)


def read_accuracy(items: ItemStore, tenant_id: str) -> dict[str, Any]:
    """What GET /forecast/accuracy answers: the last computed accuracy and the monitor's last check."""
    kept = items.get(tenant_id, ACCURACY_KEY) or {}
    latest = items.get(tenant_id, LATEST_KEY) or {}
    return {"computed_at": kept.get("computed_at"), "live_model": kept.get("live_model"), "weeks": kept.get("weeks", []),
            "by_version_week_category": kept.get("rows", []),
            "latest_check": {k: v for k, v in latest.items() if k not in ("version", "item_key")}}
