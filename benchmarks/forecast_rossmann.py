"""Forecast accuracy on Rossmann: train through 2015-05-08, forecast the 42 days to 2015-06-19 for
every store (closed days forecast as 0), score on open days.

Systems, each with the same known-future drivers where it can use them: smartretail (our model),
seasonal_naive (7), autoets (statsforecast AutoETS, season 7) and mlforecast_lgbm (an out-of-the-box
mlforecast LightGBM with default lags/date features and conformal 80% intervals).

    .venv/bin/python -m benchmarks.forecast_rossmann [--stores N]
"""

import argparse
import time

import pandas as pd

from ._results import SHARED_DATA, write_result

CUTOFF = pd.Timestamp("2015-05-08")
HORIZON = 42
DRIVERS = ["open", "promo", "state_holiday", "school_holiday", "promo2_active"]
STATIC = ["store_type", "assortment", "competition_distance", "promo2"]


def load(stores_limit: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    from smartretail.forecasting.rossmann import read_daily, read_stores, static_features

    stores = read_stores(SHARED_DATA / "rossmann" / "store.csv")
    daily = read_daily(SHARED_DATA / "rossmann" / "train.csv", stores)
    if stores_limit:
        keep = sorted(daily["unique_id"].unique(), key=int)[:stores_limit]
        daily = daily[daily["unique_id"].isin(keep)]
    daily = daily.merge(static_features(stores), on="unique_id")
    end = CUTOFF + pd.Timedelta(days=HORIZON)
    return daily[daily["ds"] <= CUTOFF].reset_index(drop=True), daily[(daily["ds"] > CUTOFF) & (daily["ds"] <= end)].reset_index(drop=True)


def run_smartretail(history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    from smartretail.forecasting.model import ForecastConfig, Forecaster

    config = ForecastConfig(horizon=HORIZON, drivers=tuple(DRIVERS), static=tuple(STATIC))
    return Forecaster(config).fit(history).predict(future.drop(columns=["y"]))


def run_baseline(history: pd.DataFrame, name: str) -> tuple[pd.DataFrame, float]:
    """One baseline exactly as the training job's backtest computes it, with its wall time."""
    from smartretail.forecasting.baselines import statsforecast_baselines

    started = time.perf_counter()
    frame = statsforecast_baselines(history, HORIZON, models=(name,))[name]
    return frame, time.perf_counter() - started


def run_mlforecast_default(history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.utils import PredictionIntervals

    fcst = MLForecast(models={"lgbm": lgb.LGBMRegressor(verbosity=-1, n_jobs=2)}, freq="D",
                      lags=[7, 14, 28], date_features=["dayofweek", "month"], num_threads=2)
    fcst.fit(history[["unique_id", "ds", "y", *DRIVERS]], static_features=[],
             prediction_intervals=PredictionIntervals(n_windows=2, h=HORIZON))
    predicted = fcst.predict(h=HORIZON, X_df=future[["unique_id", "ds", *DRIVERS]], level=[80])
    return pd.DataFrame({"unique_id": predicted["unique_id"], "ds": predicted["ds"], "p50": predicted["lgbm"],
                         "p10": predicted["lgbm-lo-80"], "p90": predicted["lgbm-hi-80"]})


def score(forecast: pd.DataFrame, future: pd.DataFrame) -> dict[str, float]:
    from smartretail.forecasting.metrics import scorecard

    joined = future[["unique_id", "ds", "y", "open"]].merge(forecast, on=["unique_id", "ds"], how="left")
    assert joined["p50"].notna().all(), "a system did not forecast every store and day"
    for column in ("p10", "p50", "p90"):  # the rule for every system: closed days are 0, no negative sales
        joined.loc[joined["open"] == 0, column] = 0.0
        joined[column] = joined[column].clip(lower=0)
    open_days = joined[joined["open"] == 1]
    return scorecard(*(open_days[c].to_numpy(dtype=float) for c in ("y", "p10", "p50", "p90")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=0, help="only the first N stores (0 = all 1,115)")
    parser.add_argument("--only", default="", help="comma-separated systems to run")
    args = parser.parse_args()
    history, future = load(args.stores)
    wanted = set(args.only.split(",")) if args.only else {"smartretail", "seasonal_naive", "autoets", "mlforecast_lgbm"}
    systems: dict[str, dict] = {}
    if "smartretail" in wanted:
        started = time.perf_counter()
        ours = run_smartretail(history, future)
        systems["smartretail"] = {**score(ours, future), "fit_predict_seconds": round(time.perf_counter() - started, 1)}
        print("smartretail", systems["smartretail"], flush=True)
    for name in ("seasonal_naive", "autoets"):
        if name in wanted:
            frame, seconds = run_baseline(history, name)
            systems[name] = {**score(frame, future), "fit_predict_seconds": round(seconds, 1)}
            print(name, systems[name], flush=True)
    if "mlforecast_lgbm" in wanted:
        started = time.perf_counter()
        peer = run_mlforecast_default(history, future)
        systems["mlforecast_lgbm"] = {**score(peer, future), "fit_predict_seconds": round(time.perf_counter() - started, 1)}
        print("mlforecast_lgbm", systems["mlforecast_lgbm"], flush=True)
    stores = history["unique_id"].nunique()
    write_result(
        "forecast_rossmann" if not args.stores and not args.only else "forecast_rossmann_partial",
        f"../shared/data/rossmann: {stores} stores, train 2013-01-01..2015-05-08, forecast 2015-05-09..2015-06-19 "
        "(42 days), scored on open days",
        systems,
        metric_notes="wape, mape, smape, bias on P50; rmspe on rows with sales > 0; pinball_mean over P10/P50/P90 in "
                     "sales units; coverage_80 = share of actuals inside [P10, P90]",
    )


if __name__ == "__main__":
    main()
