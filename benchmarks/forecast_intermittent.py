"""Intermittent SKU demand: the M5 slice (../shared/data/m5_slice, 10 Walmart item x store series with
prices, events and SNAP days) and the demo tenant's generated sales, over rolling 28-day origins.

Systems: `smartretail` (our Forecaster with its defaults, drivers price, events as holidays, SNAP
as promotion where the data has them), statsforecast's intermittent models `croston_optimized`,
`adida`, `tsb` (alpha_d 0.1, alpha_p 0.1; one configuration, not tuned) and `seasonal_naive` (7),
and the strong peer of benchmarks/forecast_rossmann (`mlforecast_lgbm`: L2, 500 trees, lags 7/14/28,
rolling means of lag 7, date features, the same drivers; recursive). Statsforecast's models and the
peer give a point forecast only, so pinball and coverage are ours alone.

Metrics per window and their mean: WAPE and bias of the P50 over every series-day (intermittent
series make percentage errors per day meaningless; WAPE sums first), MAE, and for weekly totals
WAPE and bias as a planner sees them (`weekly_wape`, `weekly_bias`): the sum of a point forecast, or
for ours the sum of the expected demand the reorder plans add up (Swanson's rule on P10/P50/P90), with
the sum of our medians as `weekly_wape_p50`. `zero_share` is the share of zero-sales days.

    PYTHONPATH=. .venv/bin/python -m benchmarks.forecast_intermittent
"""

import time

import numpy as np
import pandas as pd

from ._results import SHARED_DATA, write_result

HORIZON = 28
WINDOWS = 4
SYSTEMS = ("smartretail", "croston_optimized", "adida", "tsb", "seasonal_naive", "mlforecast_lgbm")


def m5() -> pd.DataFrame:
    """Long frame: unique_id, ds, y, open, promo (SNAP day in the store's state), price, state_holiday (an event)."""
    folder = SHARED_DATA / "m5_slice"
    wide = pd.read_csv(folder / "spot_subset_sales_train_validation.csv")
    calendar = pd.read_csv(folder / "calendar.csv", parse_dates=["date"])
    prices = pd.read_csv(folder / "spot_subset_sell_prices.csv")
    days = [c for c in wide.columns if c.startswith("d_")]
    long = wide.melt(id_vars=["item_id", "store_id", "state_id"], value_vars=days, var_name="d", value_name="y")
    calendar["d"] = [f"d_{i + 1}" for i in range(len(calendar))]
    long = long.merge(calendar[["d", "date", "wm_yr_wk", "event_name_1", "snap_CA", "snap_TX", "snap_WI"]], on="d")
    long = long.merge(prices, on=["store_id", "item_id", "wm_yr_wk"], how="left")
    snap = np.select([long["state_id"] == s for s in ("CA", "TX", "WI")], [long[f"snap_{s}"] for s in ("CA", "TX", "WI")], 0)
    frame = pd.DataFrame({
        "unique_id": long["store_id"] + "|" + long["item_id"], "ds": long["date"], "y": long["y"].astype(float),
        "open": 1, "promo": snap.astype("int8"), "price": long["sell_price"], "state_holiday": long["event_name_1"].notna().astype("int8"),
    })
    # A series starts when the item is first on sale (M5 pads earlier days with zeros).
    first = frame[frame["price"].notna()].groupby("unique_id")["ds"].min()
    frame = frame[frame["ds"] >= frame["unique_id"].map(first)]
    frame["price"] = frame.groupby("unique_id")["price"].ffill()
    return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def demo() -> pd.DataFrame:
    """The demo tenant's generated sales (as `./dev up` loads them), in the training job's frame."""
    import tempfile
    from pathlib import Path

    from smartretail.demo.generator import DemoSpec, generate
    from smartretail.forecasting.curated import load_training_frame

    with tempfile.TemporaryDirectory() as folder:
        generate(DemoSpec(), Path(folder))
        frame = load_training_frame(Path(folder) / "sales.csv")
    frame["state_holiday"] = 0
    return frame[["unique_id", "ds", "y", "open", "promo", "price", "state_holiday"]]


DRIVERS = ("open", "promo", "price", "state_holiday")


def ours(history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    from smartretail.forecasting.model import ForecastConfig, Forecaster

    config = ForecastConfig(horizon=HORIZON, drivers=DRIVERS)
    return Forecaster(config).fit(history).predict(future.drop(columns=["y"]))


def intermittent(history: pd.DataFrame, name: str) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import ADIDA, TSB, CrostonOptimized, SeasonalNaive

    model = {"croston_optimized": CrostonOptimized(), "adida": ADIDA(), "tsb": TSB(alpha_d=0.1, alpha_p=0.1),
             "seasonal_naive": SeasonalNaive(season_length=7)}[name]
    predicted = StatsForecast(models=[model], freq="D", n_jobs=1).forecast(df=history[["unique_id", "ds", "y"]], h=HORIZON)
    column = [c for c in predicted.columns if c not in ("unique_id", "ds")][0]
    return pd.DataFrame({"unique_id": predicted["unique_id"].astype(str), "ds": predicted["ds"], "p50": predicted[column].clip(lower=0)})


def peer(history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean

    fcst = MLForecast(models={"p50": lgb.LGBMRegressor(n_estimators=500, learning_rate=0.05, n_jobs=2, verbosity=-1)}, freq="D",
                      lags=[7, 14, 28], lag_transforms={7: [RollingMean(window_size=7), RollingMean(window_size=28)]},
                      date_features=["dayofweek", "day", "month", "dayofyear"], num_threads=2)
    fcst.fit(history[["unique_id", "ds", "y", *DRIVERS]], static_features=[])
    predicted = fcst.predict(h=HORIZON, X_df=future[["unique_id", "ds", *DRIVERS]])
    return predicted[["unique_id", "ds", "p50"]]


def score(forecast: pd.DataFrame, future: pd.DataFrame) -> dict[str, float]:
    """Daily scores of the P50; weekly totals of what a planner adds up: a point forecast's own values,
    or for ours the expected demand the reorder plans sum (`inventory.policy.ForecastDay.mean`, from
    P10/P50/P90), with the sum of medians beside it (`weekly_wape_p50`)."""
    joined = future[["unique_id", "ds", "y"]].merge(forecast, on=["unique_id", "ds"], how="left")
    assert joined["p50"].notna().all(), "a system did not forecast every series and day"
    y, p50 = joined["y"].to_numpy(float), joined["p50"].clip(lower=0).to_numpy(float)
    total = p50
    if "p10" in joined:
        from smartretail.inventory.policy import ForecastDay

        p10, p90 = (joined[q].clip(lower=0).to_numpy(float) for q in ("p10", "p90"))
        total = np.array([ForecastDay("", low, mid, high).mean for low, mid, high in zip(p10, p50, p90)])
    week = (joined["ds"] - joined["ds"].min()).dt.days // 7
    weekly = joined.assign(p50=p50, total=total, week=week).groupby(["unique_id", "week"])[["y", "p50", "total"]].sum()

    def weekly_wape(column: str) -> float:
        return round(float(np.abs(weekly[column] - weekly["y"]).sum() / weekly["y"].sum()), 4)

    out = {"wape": round(float(np.abs(p50 - y).sum() / y.sum()), 4), "bias": round(float((p50 - y).sum() / y.sum()), 4),
           "mae": round(float(np.abs(p50 - y).mean()), 4), "weekly_wape": weekly_wape("total"),
           "weekly_bias": round(float((weekly["total"] - weekly["y"]).sum() / weekly["y"].sum()), 4)}
    if "p10" in joined:
        from smartretail.forecasting.metrics import coverage, pinball_mean

        out["weekly_wape_p50"] = weekly_wape("p50")
        out["pinball_mean"] = round(pinball_mean(y, p10, p50, p90), 4)
        out["coverage_80"] = round(coverage(y, joined["p10"].to_numpy(float), joined["p90"].to_numpy(float)), 4)
    return out


def run(name: str, frame: pd.DataFrame) -> dict:
    end = frame["ds"].max()
    origins = [end - pd.Timedelta(days=HORIZON * k) for k in range(WINDOWS, 0, -1)]
    windows: dict[str, list[dict]] = {s: [] for s in SYSTEMS}
    for origin in origins:
        history = frame[frame["ds"] <= origin]
        future = frame[(frame["ds"] > origin) & (frame["ds"] <= origin + pd.Timedelta(days=HORIZON))]
        history = history[history["unique_id"].isin(future["unique_id"].unique())]
        for system in SYSTEMS:
            started = time.perf_counter()
            if system == "smartretail":
                predicted = ours(history, future)
            elif system == "mlforecast_lgbm":
                predicted = peer(history, future)
            else:
                predicted = intermittent(history, system)
            row = {"origin": str(origin.date()), **score(predicted, future), "seconds": round(time.perf_counter() - started, 1)}
            windows[system].append(row)
            print(name, system, row, flush=True)
    summary = {}
    for system, rows in windows.items():
        metrics = [m for m in rows[0] if m not in ("origin", "seconds")]
        summary[system] = {**{m: round(float(np.mean([r[m] for r in rows])), 4) for m in metrics}, "windows": rows}
    return {"series": int(frame["unique_id"].nunique()), "zero_share": round(float((frame["y"] == 0).mean()), 4),
            "origins": [str(o.date()) for o in origins], "systems": summary}


def main() -> None:
    datasets = {"m5_slice": m5(), "demo": demo()}
    results = {name: run(name, frame) for name, frame in datasets.items()}
    systems = {s: {f"{name}_{m}": v for name, r in results.items() for m, v in r["systems"][s].items() if m != "windows"}
               for s in SYSTEMS}
    write_result("forecast_intermittent",
                 "../shared/data/m5_slice (10 Walmart item x store series) and the demo tenant's generated sales; "
                 f"{WINDOWS} rolling 28-day origins at the end of each",
                 systems, datasets={name: {k: v for k, v in r.items()} for name, r in results.items()},
                 metric_notes="wape, bias, mae over every series-day of the P50; weekly_wape, weekly_bias over series-week totals "
                              "(ours: of the expected demand from P10/P50/P90; weekly_wape_p50: of our medians); "
                              "pinball_mean and coverage_80 for systems with P10/P90 (ours)")


if __name__ == "__main__":
    main()
