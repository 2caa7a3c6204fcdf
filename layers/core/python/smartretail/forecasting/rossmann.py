"""Rossmann's column layout (train.csv + store.csv) as forecasting frames.

One series per store (`unique_id`), daily, with the known-future drivers `open`, `promo`,
`state_holiday`, `school_holiday` and `promo2_active`, and static store attributes.
"""

from pathlib import Path

import numpy as np
import pandas as pd

MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12}
DRIVERS = ["open", "promo", "state_holiday", "school_holiday", "promo2_active"]


def read_stores(path: Path) -> pd.DataFrame:
    stores = pd.read_csv(path, na_values=["NULL"], keep_default_na=True)
    out = pd.DataFrame({
        "unique_id": stores["Store"].astype(str),
        "store_type": stores["StoreType"].astype("category").cat.codes.astype("int16"),
        "assortment": stores["Assortment"].astype("category").cat.codes.astype("int16"),
        "competition_distance": stores["CompetitionDistance"].fillna(100_000.0).astype("float32"),
        "promo2": stores["Promo2"].astype("int8"),
    })
    out["_competition_since"] = pd.to_datetime(
        dict(year=stores["CompetitionOpenSinceYear"].fillna(1900), month=stores["CompetitionOpenSinceMonth"].fillna(1), day=1),
        errors="coerce",
    )
    out["_promo2_since"] = pd.to_datetime(stores["Promo2SinceYear"].fillna(2100).astype(int).astype(str) + "-01-01") + pd.to_timedelta(
        (stores["Promo2SinceWeek"].fillna(1) - 1) * 7, unit="D")
    out["_promo2_months"] = stores["PromoInterval"].fillna("").map(lambda s: {MONTHS[m] for m in s.split(",") if m})
    return out


def read_daily(path: Path, stores: pd.DataFrame) -> pd.DataFrame:
    """Daily rows with drivers; dates missing for a store (refurbishment gaps) are filled as closed."""
    raw = pd.read_csv(path, dtype={"StateHoliday": str}, parse_dates=["Date"])
    frame = pd.DataFrame({
        "unique_id": raw["Store"].astype(str),
        "ds": raw["Date"],
        # A future file may leave Open blank where it is not yet known: assume the store opens.
        "open": raw["Open"].fillna(1).astype("int8") if "Open" in raw else 1,
        "promo": raw["Promo"].astype("int8"),
        "state_holiday": raw["StateHoliday"].map({"0": 0, "a": 1, "b": 2, "c": 3}).fillna(0).astype("int8"),
        "school_holiday": raw["SchoolHoliday"].astype("int8"),
    })
    if "Sales" in raw:
        frame["y"] = raw["Sales"].astype("float64")
    frame = _fill_gaps(frame)
    return _add_store_drivers(frame, stores)


def _fill_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    full = pd.MultiIndex.from_product(
        [frame["unique_id"].unique(), pd.date_range(frame["ds"].min(), frame["ds"].max(), freq="D")], names=["unique_id", "ds"]
    )
    filled = frame.set_index(["unique_id", "ds"]).reindex(full).reset_index()
    for column in ("open", "promo", "state_holiday", "school_holiday"):
        filled[column] = filled[column].fillna(0).astype("int8")
    if "y" in filled:
        filled["y"] = filled["y"].fillna(0.0)
    return filled


def _add_store_drivers(frame: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    info = stores.set_index("unique_id")
    since = frame["unique_id"].map(info["_promo2_since"])
    months = frame["unique_id"].map(info["_promo2_months"])
    frame["promo2_active"] = np.fromiter(
        (bool(m) and d >= s and d.month in m for d, s, m in zip(frame["ds"], since, months)), dtype=bool, count=len(frame)
    ).astype("int8")
    return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def static_features(stores: pd.DataFrame) -> pd.DataFrame:
    return stores[["unique_id", "store_type", "assortment", "competition_distance", "promo2"]]
