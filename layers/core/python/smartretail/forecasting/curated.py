"""Training frames from the data lake: the curated `sales_daily` table (Parquet, partitioned by dt)
or a CSV in the sales contract. One series per store x SKU."""

from pathlib import Path

import pandas as pd

DRIVERS = ("open", "promo", "price")
STATIC = ("category_code",)


def load_training_frame(path: Path) -> pd.DataFrame:
    """unique_id, ds, y, open, promo, price, censored (stockout), category, category_code."""
    files = list(path.rglob("*.parquet")) if path.is_dir() else []
    if files:
        raw = pd.read_parquet(path)
        raw["ds"] = pd.to_datetime(raw["dt"].astype(str))
    else:
        csv = path if path.is_file() else next(path.glob("*.csv"), None)
        if csv is None:
            raise FileNotFoundError(f"no Parquet or CSV training data under {path}")
        raw = pd.read_csv(csv)
        raw["ds"] = pd.to_datetime(raw["date"])
        raw["promo_flag"] = raw.get("promo_flag", False)
    frame = pd.DataFrame({
        "unique_id": raw["store_id"].astype(str).str.upper() + "|" + raw["sku_id"].astype(str).str.upper(),
        "ds": raw["ds"],
        "y": pd.to_numeric(raw["units"], errors="coerce").fillna(0.0),
        "promo": raw["promo_flag"].fillna(False).astype(str).str.lower().isin(["true", "1"]).astype("int8"),
        "price": pd.to_numeric(raw.get("price"), errors="coerce"),
        "censored": raw.get("stockout", pd.Series(False, index=raw.index)).fillna(False).astype(bool),
        "category": raw.get("category", pd.Series("UNCATEGORISED", index=raw.index)).fillna("UNCATEGORISED").astype(str),
    })
    frame = frame.groupby(["unique_id", "ds"], as_index=False).agg(
        y=("y", "sum"), promo=("promo", "max"), price=("price", "mean"), censored=("censored", "max"), category=("category", "first"))
    return _complete(frame)


def _complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Every series on every day from its first to the last day: days without a row sold nothing."""
    end = frame["ds"].max()
    parts = []
    for uid, series in frame.groupby("unique_id", sort=True):
        days = pd.date_range(series["ds"].min(), end, freq="D")
        part = series.set_index("ds").reindex(days).rename_axis("ds").reset_index()
        part["unique_id"] = uid
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["y"] = out["y"].fillna(0.0)
    out["promo"] = out["promo"].fillna(0).astype("int8")
    out["censored"] = out["censored"].astype("boolean").fillna(False).astype(bool)
    out["price"] = out.groupby("unique_id")["price"].ffill().bfill()
    out["category"] = out.groupby("unique_id")["category"].ffill().bfill()
    out["open"] = 1  # the contracts carry no store calendar yet: every day is a selling day
    out["category_code"] = out["category"].astype("category").cat.codes.astype("int16")
    return out[["unique_id", "ds", "y", "open", "promo", "price", "censored", "category", "category_code"]]
