"""Batch forecast and publication: the last steps of the training pipeline.

A trained model is recorded as a version; it goes live only when it beats the baselines and the
live model on backtest WAPE. Its forecasts are written before it is marked live, so the API never
points at a version without forecasts.
"""

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ..ports import ForecastStore, ModelRegistry
from .model import Forecaster
from .serving import live_model, should_promote


def future_drivers(model: Forecaster, horizon: int) -> pd.DataFrame:
    """Every known series over the next `horizon` days; without a promotion calendar or price plan,
    days are open, without promotion, at the last price."""
    days = pd.date_range(model._cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
    index = pd.MultiIndex.from_product([model.series, days], names=["unique_id", "ds"])
    return pd.DataFrame(index=index).reset_index().assign(open=1, promo=0)


def publish(model: Forecaster, evaluation: dict[str, Any], tenant_id: str, store: ForecastStore, registry: ModelRegistry,
            horizon: int, model_version: str | None = None) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    live = live_model(registry, tenant_id)
    promote, reason = should_promote(evaluation, live)
    version = {
        "model_version": model_version or now.strftime("v%Y%m%dT%H%M%SZ"),
        "created_at": now.isoformat(timespec="seconds"),
        "trained_through": str(model._cutoff.date()),
        "status": "live" if promote else "rejected",
        "reason": reason,
        "wape": evaluation["overall"]["smartretail"]["wape"],
        "backtest": {"overall": evaluation["overall"], "windows": evaluation["windows"],
                     "per_group": evaluation.get("per_group", {})},
        "series": len(model.series),
        "horizon_days": horizon,
    }
    if promote:
        forecast = model.predict(future_drivers(model, horizon), explain=True)
        forecast["date"] = forecast["ds"].dt.strftime("%Y-%m-%d")
        for uid, rows in forecast.groupby("unique_id", sort=False):
            store_id, sku_id = uid.split("|", 1)
            store.put_series(tenant_id, store_id, sku_id, [
                {"date": r.date, "p10": r.p10, "p50": r.p50, "p90": r.p90, "drivers": r.drivers, "model_version": version["model_version"]}
                for r in rows.itertuples()
            ])
    registry.record(tenant_id, version)
    if promote and live is not None:
        registry.record(tenant_id, {**live, "status": "archived", "reason": f"replaced by {version['model_version']}"})
    return version
