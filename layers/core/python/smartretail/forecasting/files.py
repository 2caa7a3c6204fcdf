"""Forecast from files: train on a sales history file, forecast the rows of a future-drivers file.

Two layouts are read:
- Rossmann (`Store`, `Date`, `Sales`, `Open`, `Promo`, `StateHoliday`, `SchoolHoliday`, plus
  `store.csv` for store attributes): one series per store; output `Id` (when the future file has it),
  `Store`, `Date`, `p10`, `p50`, `p90`.
- The sales contract (`date`, `store_id`, `sku_id`, `units`, optional `price`, `promo_flag`, `open`):
  one series per store x SKU; output `date`, `store_id`, `sku_id`, `p10`, `p50`, `p90`.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..contracts import normalise_header
from .model import ForecastConfig, Forecaster
from .rossmann import read_daily, read_stores, static_features

ROSSMANN_DRIVERS = ("open", "promo", "state_holiday", "school_holiday", "promo2_active")
ROSSMANN_STATIC = ("store_type", "assortment", "competition_distance", "promo2")


@dataclass
class Problem:
    history: pd.DataFrame
    future: pd.DataFrame
    config: ForecastConfig
    layout: str
    future_raw: pd.DataFrame


def _is_rossmann(path: Path) -> bool:
    return "Store" in pd.read_csv(path, nrows=0).columns


def _contract_frame(path: Path, with_target: bool) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str)
    raw.columns = [normalise_header(c) for c in raw.columns]
    missing = [c for c in ("date", "store_id", "sku_id", *(["units"] if with_target else [])) if c not in raw.columns]
    if missing:
        raise ValueError(f"{path} misses columns: {', '.join(missing)}")
    frame = pd.DataFrame({
        "store_id": raw["store_id"].str.strip().str.upper(),
        "sku_id": raw["sku_id"].str.strip().str.upper(),
        "ds": pd.to_datetime(raw["date"]),
        "promo": raw.get("promo_flag", pd.Series("false", index=raw.index)).fillna("false").str.lower().isin(["true", "1", "yes", "y", "t"]).astype("int8"),
        "open": pd.to_numeric(raw.get("open", pd.Series(1, index=raw.index)), errors="coerce").fillna(1).astype("int8"),
    })
    if "price" in raw.columns:
        frame["price"] = pd.to_numeric(raw["price"], errors="coerce")
    if with_target:
        frame["y"] = pd.to_numeric(raw["units"], errors="coerce").fillna(0.0)
    frame["unique_id"] = frame["store_id"] + "|" + frame["sku_id"]
    keys = ["unique_id", "ds"]
    aggregations = {c: ("sum" if c == "y" else "max") for c in frame.columns if c not in (*keys, "store_id", "sku_id")}
    return frame.groupby(keys, as_index=False).agg(aggregations)


def _complete(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, ids: list[str], fill: dict) -> pd.DataFrame:
    """Every series on every day of the history; days the file does not mention sold nothing."""
    grid = pd.MultiIndex.from_product([ids, pd.date_range(start, end, freq="D")], names=["unique_id", "ds"])
    out = frame.set_index(["unique_id", "ds"]).reindex(grid).reset_index()
    for column, value in fill.items():
        if column in out:
            out[column] = out[column].fillna(value)
    if "price" in out:
        out["price"] = out.groupby("unique_id")["price"].ffill()
    return out


def load_problem(history_path: Path, future_path: Path, stores_path: Path | None = None) -> Problem:
    if _is_rossmann(history_path):
        if stores_path is None:
            stores_path = history_path.with_name("store.csv")
        stores = read_stores(stores_path)
        history = read_daily(history_path, stores)
        future_raw = pd.read_csv(future_path, dtype={"StateHoliday": str}, parse_dates=["Date"])
        future = read_daily(future_path, stores)
        drivers, static, layout = ROSSMANN_DRIVERS, ROSSMANN_STATIC, "rossmann"
        attributes = static_features(stores)
        history, future = history.merge(attributes, on="unique_id"), future.merge(attributes, on="unique_id")
    else:
        history = _contract_frame(history_path, with_target=True)
        future = _contract_frame(future_path, with_target=False)
        future_raw = pd.read_csv(future_path, dtype=str)
        drivers = ("open", "promo", *(["price"] if "price" in history and "price" in future else []))
        static, layout = (), "contract"
        ids = sorted(history["unique_id"].unique())
        history = _complete(history, history["ds"].min(), history["ds"].max(), ids, {"y": 0.0, "open": 1, "promo": 0})
    cutoff, end = history["ds"].max(), future["ds"].max()
    horizon = int((end - cutoff).days)
    if horizon < 1:
        raise ValueError("the future file must start after the last day of the history file")
    config = ForecastConfig(horizon=horizon, drivers=drivers, static=static)
    return Problem(history, future, config, layout, future_raw)


def forecast_files(history_path: Path, future_path: Path, out_path: Path, stores_path: Path | None = None) -> int:
    problem = load_problem(history_path, future_path, stores_path)
    forecast = Forecaster(problem.config).fit(problem.history).predict(problem.future)
    if problem.layout == "rossmann":
        rows = problem.future_raw.assign(unique_id=problem.future_raw["Store"].astype(str), ds=problem.future_raw["Date"])
        out = rows.merge(forecast, on=["unique_id", "ds"], how="left")
        columns = [c for c in ("Id", "Store", "Date") if c in out] + ["p10", "p50", "p90"]
        out["Date"] = out["Date"].dt.strftime("%Y-%m-%d")
    else:
        raw = problem.future_raw.copy()
        raw.columns = [normalise_header(c) for c in raw.columns]
        rows = raw.assign(store_id=raw["store_id"].str.strip().str.upper(), sku_id=raw["sku_id"].str.strip().str.upper(),
                          ds=pd.to_datetime(raw["date"]))
        rows["unique_id"] = rows["store_id"] + "|" + rows["sku_id"]
        out = rows.merge(forecast, on=["unique_id", "ds"], how="left")
        out["date"] = out["ds"].dt.strftime("%Y-%m-%d")
        columns = ["date", "store_id", "sku_id", "p10", "p50", "p90"]
    unseen = out["p50"].isna()
    if unseen.any():
        # Series with no history: the day's median forecast across known series, until they have data.
        print(f"warning: {unseen.sum()} rows belong to series without history; forecast as the day's median",
              file=sys.stderr)
        daily_median = forecast.groupby("ds")[["p10", "p50", "p90"]].median()
        dates = pd.to_datetime(out.loc[unseen, "Date" if problem.layout == "rossmann" else "date"])
        out.loc[unseen, ["p10", "p50", "p90"]] = daily_median.reindex(dates).to_numpy()
    out[["p10", "p50", "p90"]] = out[["p10", "p50", "p90"]].round(2)
    out[columns].to_csv(out_path, index=False)
    return len(out)
