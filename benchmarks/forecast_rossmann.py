"""Forecast accuracy on Rossmann over rolling origins: for each origin, train on everything through it,
forecast the next 42 days for every store (closed days forecast as 0), score on open days.

Origins (at least four, spread over 2014-2015, each window's 42 days inside ../shared/data/rossmann):
2014-05-31 (June-July), 2014-10-31 (November to mid-December), 2015-02-28 (March-April, Easter) and
2015-05-08 (May-June, the file's last 42 days). 180 stores have no rows for 2014-07-01..2014-12-31;
they count only in windows they have rows for.

Systems, each with the features the data offers:
- `smartretail`: our model, `smartretail.forecasting.model.Forecaster` with its defaults.
- `mlforecast_lgbm`: a practitioner's global LightGBM through mlforecast (L2, 500 trees, learning rate
  0.05), lags 7/14/28, RollingMean(7) and RollingMean(28) of lag 7, date features dayofweek, day,
  month, dayofyear, dynamic Open, Promo, StateHoliday (0-3), SchoolHoliday, static StoreType,
  Assortment, CompetitionDistance, Promo2; recursive over the horizon; each store restricted to its
  trailing run of consecutive days (recursive lags cannot cross a gap). A point forecast:
  its P10 and P90 are its P50.
- `mlforecast_lgbm_quantile`: the same with three LightGBM quantile models (alpha 0.1, 0.5, 0.9).
- `seasonal_naive` (7) and `autoets` (statsforecast, season 7).

`wape`, `rmspe`, `pinball_mean`, `coverage_80` of each system are means over the windows; `windows`
lists each window's numbers. Fit + predict seconds are per window.

    PYTHONPATH=. .venv/bin/python -m benchmarks.forecast_rossmann [--stores N] [--only a,b] [--origins 2015-05-08,...]
"""

import argparse
import time

import numpy as np
import pandas as pd

from ._results import SHARED_DATA, write_result

ORIGINS = ("2014-05-31", "2014-10-31", "2015-02-28", "2015-05-08")
HORIZON = 42
DRIVERS = ["open", "promo", "state_holiday", "school_holiday", "promo2_active"]
STATIC = ["store_type", "assortment", "competition_distance", "promo2"]
SYSTEMS = ("smartretail", "mlforecast_lgbm", "mlforecast_lgbm_quantile", "seasonal_naive", "autoets")


def load(stores_limit: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every store's daily rows with drivers and static attributes, and each store's raw dates (the
    rows the file has; `read_daily` fills gaps as closed days)."""
    from smartretail.forecasting.rossmann import read_daily, read_stores, static_features

    stores = read_stores(SHARED_DATA / "rossmann" / "store.csv")
    daily = read_daily(SHARED_DATA / "rossmann" / "train.csv", stores)
    present = pd.read_csv(SHARED_DATA / "rossmann" / "train.csv", usecols=["Store", "Date"], parse_dates=["Date"])
    present = pd.DataFrame({"unique_id": present["Store"].astype(str), "ds": present["Date"]})
    if stores_limit:
        keep = sorted(daily["unique_id"].unique(), key=int)[:stores_limit]
        daily, present = daily[daily["unique_id"].isin(keep)], present[present["unique_id"].isin(keep)]
    return daily.merge(static_features(stores), on="unique_id"), present


def split(daily: pd.DataFrame, present: pd.DataFrame, origin: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History through the origin and the 42 days after it, of the stores the file has rows for in
    the window (a store absent for the whole window is not forecast)."""
    end = origin + pd.Timedelta(days=HORIZON)
    in_window = present[(present["ds"] > origin) & (present["ds"] <= end)]
    stores = set(in_window["unique_id"])
    rows = daily[daily["unique_id"].isin(stores)]
    future = rows[(rows["ds"] > origin) & (rows["ds"] <= end)]
    future = future.merge(in_window, on=["unique_id", "ds"])  # days the file has (it may end a store early)
    return rows[rows["ds"] <= origin].reset_index(drop=True), future.reset_index(drop=True)


def run_smartretail(history: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    from smartretail.forecasting.model import ForecastConfig, Forecaster

    config = ForecastConfig(horizon=HORIZON, drivers=tuple(DRIVERS), static=tuple(STATIC))
    return Forecaster(config).fit(history).predict(future.drop(columns=["y"]))


def run_baseline(history: pd.DataFrame, name: str) -> pd.DataFrame:
    """One baseline exactly as the training job's backtest computes it."""
    from smartretail.forecasting.baselines import statsforecast_baselines

    return statsforecast_baselines(history, HORIZON, models=(name,))[name]


def trailing_run(history: pd.DataFrame, present: pd.DataFrame) -> pd.DataFrame:
    """Each store's rows from the start of its last run of consecutive days in the file."""
    dates = present[present["ds"] <= history["ds"].max()].sort_values(["unique_id", "ds"])
    gap = dates.groupby("unique_id")["ds"].diff() > pd.Timedelta(days=1)
    starts = dates[gap].groupby("unique_id")["ds"].max()
    start = history["unique_id"].map(starts).fillna(history["ds"].min())
    return history[history["ds"] >= start].reset_index(drop=True)


def run_mlforecast_peer(history: pd.DataFrame, future: pd.DataFrame, present: pd.DataFrame, quantile: bool) -> pd.DataFrame:
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean

    def model(**objective):
        return lgb.LGBMRegressor(n_estimators=500, learning_rate=0.05, n_jobs=2, verbosity=-1, **objective)

    models = ({"p10": model(objective="quantile", alpha=0.1), "p50": model(objective="quantile", alpha=0.5),
               "p90": model(objective="quantile", alpha=0.9)} if quantile else {"p50": model(objective="l2")})
    fcst = MLForecast(models=models, freq="D", lags=[7, 14, 28],
                      lag_transforms={7: [RollingMean(window_size=7), RollingMean(window_size=28)]},
                      date_features=["dayofweek", "day", "month", "dayofyear"], num_threads=2)
    train = trailing_run(history, present)[["unique_id", "ds", "y", *DRIVERS, *STATIC]]
    fcst.fit(train, static_features=STATIC)
    # Every day from the origin to the window's end, for the recursion (days the file lacks: closed).
    grid = pd.MultiIndex.from_product([sorted(train["unique_id"].unique()),
                                       pd.date_range(history["ds"].max() + pd.Timedelta(days=1), periods=HORIZON)],
                                      names=["unique_id", "ds"]).to_frame(index=False)
    x_df = grid.merge(future[["unique_id", "ds", *DRIVERS]], on=["unique_id", "ds"], how="left")
    x_df[DRIVERS] = x_df[DRIVERS].fillna(0).astype("int8")
    predicted = fcst.predict(h=HORIZON, X_df=x_df)
    out = predicted
    if not quantile:
        out["p10"] = out["p90"] = out["p50"]
    return out[["unique_id", "ds", "p10", "p50", "p90"]]


def score(forecast: pd.DataFrame, future: pd.DataFrame) -> dict[str, float]:
    from smartretail.forecasting.metrics import scorecard

    joined = future[["unique_id", "ds", "y", "open"]].merge(forecast, on=["unique_id", "ds"], how="left")
    assert joined["p50"].notna().all(), "a system did not forecast every store and day"
    for column in ("p10", "p50", "p90"):  # the rule for every system: closed days are 0, no negative sales
        joined.loc[joined["open"] == 0, column] = 0.0
        joined[column] = joined[column].clip(lower=0)
    open_days = joined[joined["open"] == 1]
    return scorecard(*(open_days[c].to_numpy(dtype=float) for c in ("y", "p10", "p50", "p90")))


def forecast(name: str, history: pd.DataFrame, future: pd.DataFrame, present: pd.DataFrame) -> pd.DataFrame:
    if name == "smartretail":
        return run_smartretail(history, future)
    if name in ("seasonal_naive", "autoets"):
        return run_baseline(history, name)
    return run_mlforecast_peer(history, future, present, quantile=name.endswith("quantile"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=0, help="only the first N stores (0 = all 1,115)")
    parser.add_argument("--only", default="", help="comma-separated systems to run")
    parser.add_argument("--origins", default=",".join(ORIGINS), help="comma-separated origins (last day of history)")
    args = parser.parse_args()
    daily, present = load(args.stores)
    wanted = [s for s in SYSTEMS if not args.only or s in args.only.split(",")]
    origins = [pd.Timestamp(o) for o in args.origins.split(",")]
    windows: dict[str, list[dict]] = {name: [] for name in wanted}
    for origin in origins:
        history, future = split(daily, present, origin)
        for name in wanted:
            started = time.perf_counter()
            predicted = forecast(name, history, future, present)
            seconds = time.perf_counter() - started
            row = {"origin": str(origin.date()), "stores": int(future["unique_id"].nunique()), **score(predicted, future),
                   "fit_predict_seconds": round(seconds, 1)}
            windows[name].append(row)
            print(name, row, flush=True)
    systems = {}
    for name, rows in windows.items():
        mean = {metric: round(float(np.mean([r[metric] for r in rows])), 4 if metric != "pinball_mean" else 2)
                for metric in ("wape", "rmspe", "bias", "pinball_mean", "coverage_80", "fit_predict_seconds")}
        systems[name] = {**mean, "windows": [{k: r[k] for k in ("origin", "stores", "wape", "rmspe", "bias", "pinball_mean",
                                                                  "coverage_80", "fit_predict_seconds")} for r in rows]}
    if "smartretail" in systems and "mlforecast_lgbm" in systems:
        ours, peer = windows["smartretail"], windows["mlforecast_lgbm"]
        systems["smartretail"]["wape_vs_mlforecast_lgbm"] = [round(1 - o["wape"] / p["wape"], 4) for o, p in zip(ours, peer)]
    full = not args.stores and not args.only and tuple(args.origins.split(",")) == ORIGINS
    write_result(
        "forecast_rossmann" if full else "forecast_rossmann_partial",
        f"../shared/data/rossmann: {daily['unique_id'].nunique()} stores; origins {', '.join(str(o.date()) for o in origins)}; "
        "42 days after each, scored on open days",
        systems,
        metric_notes="wape, rmspe, bias on P50; pinball_mean over P10/P50/P90 in sales units; coverage_80 = share of "
                     "actuals inside [P10, P90]; each a mean over the windows, each window in `windows`; "
                     "wape_vs_mlforecast_lgbm = 1 - our WAPE / the peer's, per window",
    )


if __name__ == "__main__":
    main()
