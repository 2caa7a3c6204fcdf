"""Inventory simulation on Rossmann: replay the last 42 days of the development data (2015-05-09 to
2015-06-19) day by day for every store, ordering with a policy, and measure what customers and the
shelf saw.

Both policies decide at the start of each day, order up to a reorder point covering lead time (3 days)
+ review (1 day) at a 95% service level, and receive an order 3 days after placing it. Demand is the
day's actual sales (closed days sell nothing); sales beyond the shelf are lost.
- smartretail: `smartretail.inventory.policy.plan` on our forecast's P10/P50/P90 (the model trained
  through 2015-05-08, as in forecast_rossmann; it knows opening days and promotions ahead), with the
  day-to-day error correlation measured as the training job measures it: on a backtest window inside
  the history (the 42 days before 2015-05-08), never on the replayed days.
- classical: a 28-day moving average of daily demand with normal safety stock z * sd * sqrt(L + R).

Metrics: fill_rate (units sold / units demanded), service_level (share of open store-days without a
stockout), avg_inventory (mean end-of-day stock per store, sales units), avg_inventory_days (that in
days of mean demand).

    PYTHONPATH=. .venv/bin/python -m benchmarks.inventory_rossmann [--stores N] [--forecast-cache FILE]
"""

import argparse
import json
import math
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from ._results import write_result
from .forecast_rossmann import HORIZON, load, run_smartretail, split

ORIGIN = pd.Timestamp("2015-05-08")  # the last forecast_rossmann window: the file's last 42 days follow it

LEAD_TIME = 3
REVIEW = 1
SERVICE = 0.95
MA_WINDOW = 28


def measured_error_correlation(history: pd.DataFrame) -> float:
    """The training job's backtest, one window at the end of the history: our model only."""
    from smartretail.forecasting.backtest import rolling_origin
    from smartretail.forecasting.model import ForecastConfig

    from .forecast_rossmann import DRIVERS, STATIC

    config = ForecastConfig(horizon=HORIZON, drivers=tuple(DRIVERS), static=tuple(STATIC))
    return rolling_origin(history, config, windows=1, baselines=())["error_correlation"]


def our_targets(forecast: pd.DataFrame, dates: list[pd.Timestamp], correlation: float) -> dict[str, list[float]]:
    """Reorder point per store and day from the forecast quantiles."""
    from smartretail.inventory.policy import ForecastDay, InventoryPolicy, StockPosition, plan

    policy = InventoryPolicy(service_level=SERVICE, review_days=REVIEW, error_correlation=correlation)
    targets = {}
    for uid, part in forecast.sort_values("ds").groupby("unique_id"):
        days = [ForecastDay(str(r.ds.date()), r.p10, r.p50, r.p90) for r in part.itertuples()]
        targets[uid] = [plan(days[i:], StockPosition(on_hand=0.0, lead_time_days=LEAD_TIME), policy).reorder_point
                        for i in range(len(dates))]
    return targets


def classical_targets(history: pd.DataFrame, future: pd.DataFrame, dates: list[pd.Timestamp]) -> dict[str, list[float]]:
    z = NormalDist().inv_cdf(SERVICE)
    protection = LEAD_TIME + REVIEW
    demand = pd.concat([history[["unique_id", "ds", "y"]], future[["unique_id", "ds", "y"]]])
    targets = {}
    for uid, part in demand.sort_values("ds").groupby("unique_id"):
        series = part.set_index("ds")["y"]
        out = []
        for day in dates:
            window = series[(series.index < day) & (series.index >= day - pd.Timedelta(days=MA_WINDOW))]
            out.append(window.mean() * protection + z * window.std(ddof=1) * math.sqrt(protection))
        targets[uid] = out
    return targets


def simulate(actual: np.ndarray, targets: np.ndarray, open_days: np.ndarray) -> dict[str, float]:
    """Stores x days arrays; order-up-to the day's reorder point with lost sales."""
    stores, days = actual.shape
    on_hand = targets[:, 0].copy()
    pipeline = np.zeros((stores, days + LEAD_TIME + 1))
    sold_total = demand_total = 0.0
    stockout_days = open_count = 0
    inventory = []
    for t in range(days):
        on_hand += pipeline[:, t]
        position = on_hand + pipeline[:, t + 1 :].sum(axis=1)
        order = np.maximum(np.ceil(targets[:, t] - position), 0)
        pipeline[:, t + LEAD_TIME] += order
        sold = np.minimum(actual[:, t], on_hand)
        on_hand -= sold
        sold_total += sold.sum()
        demand_total += actual[:, t].sum()
        short = (actual[:, t] > sold + 1e-9) & open_days[:, t]
        stockout_days += int(short.sum())
        open_count += int(open_days[:, t].sum())
        inventory.append(on_hand.copy())
    inventory = np.array(inventory).T
    mean_demand = actual.sum(axis=1) / max(days, 1)
    return {
        "fill_rate": round(float(sold_total / demand_total), 4),
        "service_level": round(1 - stockout_days / open_count, 4),
        "avg_inventory": round(float(inventory.mean()), 1),
        "avg_inventory_days": round(float((inventory.mean(axis=1) / np.maximum(mean_demand, 1e-9)).mean()), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=0)
    parser.add_argument("--forecast-cache", type=Path, default=None,
                        help="reuse our forecast and measured correlation from this Parquet file (and its .json)")
    args = parser.parse_args()
    history, future = split(*load(args.stores), ORIGIN)
    started = time.perf_counter()
    cached = args.forecast_cache.with_suffix(".json") if args.forecast_cache else None
    if args.forecast_cache and args.forecast_cache.exists() and cached.exists():
        forecast = pd.read_parquet(args.forecast_cache)
        correlation = json.loads(cached.read_text())["error_correlation"]
    else:
        correlation = measured_error_correlation(history)
        forecast = run_smartretail(history, future)
        if args.forecast_cache:
            forecast.to_parquet(args.forecast_cache)
            cached.write_text(json.dumps({"error_correlation": correlation}))
    forecast_seconds = time.perf_counter() - started
    print("error correlation measured on the history's backtest:", correlation, flush=True)
    dates = sorted(future["ds"].unique())
    assert len(dates) == HORIZON
    stores = sorted(future["unique_id"].unique())
    # A day the file has no row for (a store that stopped early) sold nothing and was not open.
    actual = future.pivot(index="unique_id", columns="ds", values="y").reindex(index=stores, columns=dates).fillna(0).to_numpy(dtype=float)
    open_days = future.pivot(index="unique_id", columns="ds", values="open").reindex(index=stores, columns=dates).fillna(0).to_numpy() == 1
    systems = {}
    for name, targets in (("smartretail", our_targets(forecast, dates, correlation)), ("classical", classical_targets(history, future, dates))):
        matrix = np.array([targets[s] for s in stores])
        systems[name] = simulate(actual, matrix, open_days)
        print(name, systems[name], flush=True)
    systems["smartretail"]["forecast_seconds"] = round(forecast_seconds, 1)
    systems["smartretail"]["error_correlation"] = correlation
    write_result(
        "inventory_rossmann" if not args.stores else "inventory_rossmann_partial",
        f"../shared/data/rossmann: {len(stores)} stores, replay of 2015-05-09..2015-06-19 (42 days), lead time "
        f"{LEAD_TIME} days, review {REVIEW} day, target service level {SERVICE:.0%}, lost sales",
        systems,
        metric_notes="fill_rate = units sold / demanded; service_level = open store-days without a stockout; "
                     "avg_inventory = mean end-of-day stock per store in sales units",
    )


if __name__ == "__main__":
    main()
