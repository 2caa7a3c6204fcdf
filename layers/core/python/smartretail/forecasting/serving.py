"""Serving forecasts to the API: precomputed P10/P50/P90 from the forecasts table, or, where no model
output exists, a seasonal-naive forecast computed on the fly and labelled as such.

Runs in the API Lambda: standard library and pydantic only (no pandas, no numpy).
"""

import copy
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ..errors import NotFound, ServiceUnavailable
from ..inventory.policy import ForecastDay
from ..memo import Recent, kept, remembered
from ..lake import stored_id
from ..ports import ForecastEndpoint, ForecastStore, ItemStore, ModelRegistry, QueryEngine, ResultCache
from ..spreadsheet import csv_text

MAX_HORIZON_DAYS = 90
FORECAST_CACHE_SECONDS = 8 * 24 * 3600  # a model is live a week at most before the next run replaces it
FALLBACK_WEEKS = 4

HISTORY_SQL = """
SELECT sku_id, dt, units
FROM {sales_daily}
WHERE tenant_id = ? AND store_id = ? AND dt BETWEEN ? AND ? AND sku_id IN ({skus})
"""
LAST_DAY_SQL = "SELECT MAX(dt) AS last_day FROM {sales_daily} WHERE tenant_id = ? AND store_id = ?"


class ForecastRequest(BaseModel):
    store_id: str = Field(min_length=1, max_length=64)
    sku_ids: list[str] = Field(min_length=1, max_length=50, description="up to 50 SKUs")
    horizon_days: int = Field(default=28, ge=1, le=MAX_HORIZON_DAYS, description=f"1 to {MAX_HORIZON_DAYS} days")
    granularity: Literal["day", "week"] = "day"
    history_days: int = Field(default=0, ge=0, le=366,
                              description="also return this many days of actual units before the forecast, and the "
                                          "seasonal-naive baseline (same weekday of the last observed week) over the horizon")

    @field_validator("store_id")
    @classmethod
    def _store(cls, value: str) -> str:
        return stored_id(value, "store_id")

    @field_validator("sku_ids")
    @classmethod
    def _skus(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(stored_id(v, "sku_ids") for v in values))


def _same_weekday_before(day: date, last_observed: date) -> date:
    """The latest day on or before `last_observed` that falls on `day`'s weekday."""
    return day - timedelta(days=7 * (((day - last_observed).days + 6) // 7))


def forecast_csv(result: dict[str, Any], granularity: str) -> str:
    """A forecast answer as CSV, one row per SKU and day (or week), for a spreadsheet."""
    period = "week_start" if granularity == "week" else "date"
    return csv_text(["store_id", "sku_id", period, "yhat", "yhat_lower", "yhat_upper", "expected", "method", "model_version",
                     "model_yhat", "override_reason"],
                    ([result["store_id"], item["sku_id"], point[period], point["yhat"], point["yhat_lower"], point["yhat_upper"],
                      point["expected"], item["method"], item["model_version"] or "", point.get("model_yhat", point["yhat"]),
                      (point.get("override") or {}).get("reason", "") if granularity == "day" else
                      "; ".join(sorted({o["reason"] for o in item.get("overrides", [])})) if point.get("overridden_days") else ""]
                     for item in result["forecasts"] for point in item["series"]))


def live_model(registry: ModelRegistry, tenant_id: str) -> dict[str, Any] | None:
    live = [v for v in registry.versions(tenant_id) if v.get("status") == "live"]
    return max(live, key=_creation_order) if live else None


def _model_summary(model: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a reader of a forecast needs to weigh it: which model, trained through when, and its
    backtest WAPE against the best baseline's."""
    if model is None:
        return None
    backtest = model.get("backtest") or {}
    best = backtest.get("best_baseline")
    return {"model_version": model["model_version"], "trained_through": model.get("trained_through"), "wape": model.get("wape"),
            "best_baseline": best, "best_baseline_wape": (backtest.get("overall", {}).get(best) or {}).get("wape") if best else None}


def _creation_order(version: dict[str, Any]) -> tuple[str, str]:
    return version.get("created_at", ""), version["model_version"]


def _days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


def _summarise_drivers(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Average each driver's effect over the horizon; the three largest, labelled by size."""
    effects: dict[str, list[float]] = defaultdict(list)
    for day in days:
        for driver in day.get("drivers") or []:
            effects[driver["driver"]].append(driver["effect_pct"])
    summary = sorted(((name, sum(v) / len(days)) for name, v in effects.items()), key=lambda kv: -abs(kv[1]))[:3]
    return [{"driver": name, "effect_pct": round(effect, 1), "direction": "up" if effect >= 0 else "down",
             "impact": "high" if abs(effect) >= 20 else "medium" if abs(effect) >= 5 else "low"} for name, effect in summary]


def _add_expected(series: list[dict[str, Any]]) -> None:
    """Each day's expected units, as the reorder plans count them (from the day's P10/P50/P90), unless
    its source gave them (the fallback's average); an overridden day's from its new values. The total
    over days a planner should read: a sum of medians runs low (an item that sells on a third of days
    has a median of 0 every day)."""
    for point in series:
        if "expected" not in point or "override" in point:
            point["expected"] = round(ForecastDay(point["date"], point["yhat_lower"], point["yhat"], point["yhat_upper"]).mean, 2)


def _to_weeks(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    weeks: dict[str, dict[str, Any]] = {}
    for day in series:
        d = date.fromisoformat(day["date"])
        key = (d - timedelta(days=d.weekday())).isoformat()
        week = weeks.setdefault(key, {"week_start": key, "days": 0})
        week["days"] += 1
        for field in ("yhat", "yhat_lower", "yhat_upper", "expected"):
            if field in day:
                week[field] = round(week.get(field, 0.0) + day[field], 2)
        if "override" in day or "model_yhat" in week:  # a week with overridden days shows the model's own total too
            if "model_yhat" not in week:
                week["model_yhat"], week["overridden_days"] = round(week["yhat"] - day["yhat"], 2), 0
            week["model_yhat"] = round(week["model_yhat"] + day.get("model_yhat", day["yhat"]), 2)
            week["overridden_days"] += "override" in day
    return list(weeks.values())


class ForecastService:
    def __init__(self, store: ForecastStore, registry: ModelRegistry, engine: QueryEngine, endpoint: ForecastEndpoint | None = None,
                 recent: Recent | None = None, cache: ResultCache | None = None, overrides: Any = None,
                 decisions: ItemStore | None = None):
        self.overrides = overrides  # ForecastOverrides: applied to every answer, never cached
        self._decisions = decisions  # where the model monitor keeps realised accuracy
        self._store = store
        self._registry = registry
        self._engine = engine
        self._endpoint = endpoint
        self._recent = recent
        self._cache = cache

    def models(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every version, newest first; a version's card and drift reference are read one at a time
        (model_card)."""
        versions = sorted(self._registry.versions(tenant_id), key=_creation_order, reverse=True)
        live = live_model(self._registry, tenant_id)
        return [{**{k: v for k, v in version.items() if k not in ("model_card", "drift")},
                 "drifted": (version.get("drift") or {}).get("drifted"),
                 "live": bool(live and version["model_version"] == live["model_version"])} for version in versions]

    def accuracy(self, tenant_id: str) -> dict[str, Any]:
        from .monitoring import read_accuracy

        if self._decisions is None:
            raise ServiceUnavailable("forecast accuracy is not kept in this stage", retry_after_seconds=3600)
        return read_accuracy(self._decisions, tenant_id)

    def model_card(self, tenant_id: str, model_version: str) -> dict[str, Any]:
        from .governance import card_with_approval

        found = [v for v in self._registry.versions(tenant_id) if v["model_version"] == model_version]
        if not found:
            raise NotFound(f"no model version {model_version}", field="model_version")
        if not found[0].get("model_card"):
            raise NotFound(f"model version {model_version} was trained before model cards were written", field="model_version")
        return card_with_approval(found[0])

    def forecast(self, tenant_id: str, request: ForecastRequest) -> dict[str, Any]:
        """The daily answer below, kept by the request and the live model it came from when it is all
        the model's (a fallback's is computed each time: it depends on the sales history, and a store
        that could not be read may be readable again); then managers' overrides (read every time, so a
        new one shows at once) and weeks."""
        answer = copy.deepcopy(self._daily(tenant_id, request))  # never change what the cache keeps
        if self.overrides is not None:
            try:
                answer = self.overrides.apply(tenant_id, answer)
            except ServiceUnavailable as exc:  # the forecast still serves, saying what it could not show
                for item in answer["forecasts"]:
                    item["note"] = " ".join(filter(None, [item.get("note"), f"managers' overrides cannot be read now ({exc.message}): "
                                                                            "the model's values without them"]))
        for item in answer["forecasts"]:
            _add_expected(item["series"])
        if request.granularity == "week":
            answer["granularity"] = "week"
            for item in answer["forecasts"]:
                item["series"] = _to_weeks(item["series"])
                if "baseline" in item:
                    item["baseline"] = [{"week_start": w["week_start"], "yhat": w["yhat"]} for w in _to_weeks(
                        [{**d, "yhat_lower": d["yhat"], "yhat_upper": d["yhat"]} for d in item["baseline"]])]
                item["note"] = " ".join(filter(None, [item.get("note"),
                                                      "weekly bands are sums of daily bands: wider than a true weekly interval"]))
        return answer

    def _daily(self, tenant_id: str, request: ForecastRequest) -> dict[str, Any]:
        request = request.model_copy(update={"granularity": "day"})
        if self._cache is None:
            return self._forecast(tenant_id, request)
        try:
            live = remembered(self._recent, ("live", tenant_id), lambda: live_model(self._registry, tenant_id)) or {}
        except ServiceUnavailable:
            return self._forecast(tenant_id, request)
        inputs = [request.model_dump(mode="json"), live.get("model_version"), live.get("trained_through")]
        return kept(self._cache, tenant_id, "forecast-daily", inputs, lambda: self._forecast(tenant_id, request), FORECAST_CACHE_SECONDS,
                    lambda answer: all(f["method"] == "ml" and "unavailable" not in f.get("note", "")
                                       and "not serving" not in f.get("note", "") for f in answer["forecasts"]))

    def _forecast(self, tenant_id: str, request: ForecastRequest) -> dict[str, Any]:
        """The live model's stored forecasts; days beyond the stored horizon from the model's endpoint;
        SKUs without model output from seasonal naive, each labelled with where it came from."""
        stored: dict[str, list[dict[str, Any]]] = {}
        notes: dict[str, str] = {}
        unavailable = None
        try:
            model = remembered(self._recent, ("live", tenant_id), lambda: live_model(self._registry, tenant_id))
            if model is not None:
                stored = self._stored(tenant_id, request, model)
        except ServiceUnavailable as exc:  # the design's fallback: seasonal naive from the sales history
            model, stored, unavailable = None, {}, exc.message
        if model is not None:
            short = [sku for sku, days in stored.items() if len(days) < request.horizon_days]
            if short:
                notes = self._extend_on_demand(tenant_id, request, model, {sku: stored[sku] for sku in short})
        results: dict[str, dict[str, Any]] = {
            sku: {"sku_id": sku, "method": "ml", "model_version": model["model_version"],
                  "series": [{"date": d["date"], "yhat": d["p50"], "yhat_lower": d["p10"], "yhat_upper": d["p90"]} for d in days],
                  "drivers": _summarise_drivers(days), **({"note": notes[sku]} if sku in notes else {})}
            for sku, days in stored.items()
        }
        missing = [sku for sku in request.sku_ids if sku not in results]
        if missing:
            results.update(self._fallback(tenant_id, request, missing))
            if unavailable:
                for sku in missing:
                    results[sku]["note"] = f"the model's forecasts cannot be read now ({unavailable}): same weekday of the last observed week"
        ordered = [results[sku] for sku in request.sku_ids]
        if request.history_days:
            self._add_history_and_baseline(tenant_id, request, ordered)
        return {"store_id": request.store_id, "granularity": request.granularity, "horizon_days": request.horizon_days,
                "live_model": _model_summary(model), "forecasts": ordered}

    def _add_history_and_baseline(self, tenant_id: str, request: ForecastRequest, items: list[dict[str, Any]]) -> None:
        """Actual units before the forecast's first day, and the seasonal-naive baseline any model must
        beat, so a chart shows the forecast against both (the baseline reads at least four weeks)."""
        starts = [date.fromisoformat(item["series"][0]["date"]) for item in items if item["series"]]
        if not starts:
            return
        start = min(starts)
        first = start - timedelta(days=max(request.history_days, 7 * FALLBACK_WEEKS))
        history = self._history(tenant_id, request.store_id, [item["sku_id"] for item in items], first, start - timedelta(days=1))
        shown_from = start - timedelta(days=request.history_days)
        for item in items:
            days = history.get(item["sku_id"], {})
            item["history"] = [{"date": d.isoformat(), "units": days[d]} for d in sorted(days) if d >= shown_from]
            observed = max(days) if days else None
            item["baseline"] = [
                {"date": point["date"], "yhat": days.get(_same_weekday_before(date.fromisoformat(point["date"]), observed), 0.0)}
                for point in item["series"]] if observed else []

    def _stored(self, tenant_id: str, request: ForecastRequest, model: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The model's stored days over the horizon, per SKU that has any."""
        start = date.fromisoformat(model["trained_through"]) + timedelta(days=1)
        end = start + timedelta(days=request.horizon_days - 1)
        stored = {}
        for sku in request.sku_ids:
            days = self._store.series(tenant_id, request.store_id, sku, start.isoformat(), end.isoformat())
            if days:
                stored[sku] = days
        return stored

    def _extend_on_demand(self, tenant_id: str, request: ForecastRequest, model: dict[str, Any],
                          stored: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
        """The pipeline stores the next 28 days; longer horizons come from the same model on its
        endpoint. Extends `stored` in place; returns a note per SKU."""
        try:
            answer = self._endpoint.invoke(tenant_id, {"store_id": request.store_id, "sku_ids": list(stored),
                                                       "horizon_days": request.horizon_days}) if self._endpoint else None
        except ServiceUnavailable as exc:
            return {sku: f"the model's stored forecasts end on {days[-1]['date']}; its endpoint for longer horizons "
                         f"is unavailable now ({exc.message})" for sku, days in stored.items()}
        if answer is None or answer.get("trained_through") != model["trained_through"]:
            return {sku: f"the model's stored forecasts end on {days[-1]['date']}; longer horizons need its endpoint, "
                         "which is not serving this model yet" for sku, days in stored.items()}
        notes = {}
        for sku, days in stored.items():
            last = days[-1]["date"]
            days.extend(d for d in answer["forecasts"] if d["sku_id"] == sku and d["date"] > last)
            notes[sku] = f"days after {last} forecast on demand by the same model's endpoint"
        return notes

    def _history(self, tenant_id: str, store_id: str, skus: list[str], first: date, last: date) -> dict[str, dict[date, float]]:
        """Units sold per SKU and day at a store, `first` to `last` inclusive."""
        sql = HISTORY_SQL.replace("{skus}", ", ".join("?" for _ in skus))
        history: dict[str, dict[date, float]] = defaultdict(dict)
        for row in self._engine.query(sql, [tenant_id, store_id, first.isoformat(), last.isoformat(), *skus]):
            history[row["sku_id"]][date.fromisoformat(str(row["dt"])[:10])] = float(row["units"] or 0)
        return history

    def _fallback(self, tenant_id: str, request: ForecastRequest, skus: list[str]) -> dict[str, dict[str, Any]]:
        """Seasonal naive (same weekday last week) with the range of the last four weeks as band."""
        rows = self._engine.query(LAST_DAY_SQL, [tenant_id, request.store_id])
        last = rows[0]["last_day"] if rows else None
        if not last:
            raise NotFound(f"store {request.store_id} has no sales history and no forecast", field="store_id")
        last_day = date.fromisoformat(str(last)[:10])
        first_day = last_day - timedelta(days=7 * FALLBACK_WEEKS - 1)
        history = self._history(tenant_id, request.store_id, skus, first_day, last_day)
        unknown = [sku for sku in skus if sku not in history]
        if unknown:
            raise NotFound(f"no forecast and no sales history for sku_ids {', '.join(unknown)} at store {request.store_id}",
                           field="sku_ids")
        out = {}
        for sku in skus:
            series = []
            for day in _days(last_day + timedelta(days=1), request.horizon_days):
                latest = _same_weekday_before(day, last_day)
                same_weekday = [history[sku].get(latest - timedelta(days=7 * k), 0.0)
                                for k in range(FALLBACK_WEEKS) if latest - timedelta(days=7 * k) >= first_day]
                recent = same_weekday or [0.0]
                series.append({"date": day.isoformat(), "yhat": recent[0], "yhat_lower": min(recent), "yhat_upper": max(recent),
                               "expected": round(sum(recent) / len(recent), 2)})
            out[sku] = {"sku_id": sku, "method": "seasonal_naive_fallback", "model_version": None,
                        "note": "no model output for this SKU yet: same weekday of the last observed week",
                        "series": series, "drivers": []}
        return out
