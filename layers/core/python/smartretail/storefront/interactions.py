"""Shopper events and the item catalogue as the recommenders read them: one frame of
`user_id, item_id, timestamp, event_type, quantity[, store_id]` and one of `item_id, title[, category,
brand, seller_id, price, stock]`, whatever file or stream they came from. Reading a file checks its
header and says which column is missing; rows that cannot be used are counted, never guessed at."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .events import EVENT_TYPES, EVENT_WEIGHTS  # noqa: F401  (EVENT_WEIGHTS: the recommenders read it from here)

INTERACTION_COLUMNS = ("user_id", "item_id", "timestamp")
ITEM_COLUMNS = ("item_id", "title")


@dataclass(frozen=True)
class Loaded:
    frame: pd.DataFrame
    rows_read: int
    rows_dropped: int
    reasons: dict[str, int]


def _require(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}")


def clean_interactions(frame: pd.DataFrame) -> Loaded:
    """Typed interactions; rows without a user, item or readable timestamp, with an unknown event type
    or a non-positive quantity are dropped and counted by reason."""
    frame = frame.copy()
    rows = len(frame)
    frame["user_id"] = frame["user_id"].astype("string").str.strip()
    frame["item_id"] = frame["item_id"].astype("string").str.strip()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], errors="coerce", utc=True, format="mixed").dt.tz_localize(None)
    if "event_type" not in frame.columns:
        frame["event_type"] = "purchase"
    frame["event_type"] = frame["event_type"].astype("string").str.strip().str.lower().fillna("purchase")
    if "quantity" not in frame.columns:
        frame["quantity"] = 1.0
    frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce").fillna(1.0)
    checks = {
        "missing user_id": frame["user_id"].isna() | (frame["user_id"] == ""),
        "missing item_id": frame["item_id"].isna() | (frame["item_id"] == ""),
        "unreadable timestamp": frame["timestamp"].isna(),
        "unknown event_type": ~frame["event_type"].isin(EVENT_TYPES),
        "quantity not positive": frame["quantity"] <= 0,
    }
    bad = pd.Series(False, index=frame.index)
    reasons = {}
    for reason, mask in checks.items():
        new = mask & ~bad
        if new.any():
            reasons[reason] = int(new.sum())
        bad |= mask
    kept = frame[~bad].reset_index(drop=True)
    columns = ["user_id", "item_id", "timestamp", "event_type", "quantity"] + [c for c in ("store_id", "price") if c in kept.columns]
    return Loaded(kept[columns], rows, int(bad.sum()), reasons)


def read_interactions(path: Path) -> Loaded:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    _require(frame, INTERACTION_COLUMNS, path)
    return clean_interactions(frame)


def read_items(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    _require(frame, ITEM_COLUMNS, path)
    frame["item_id"] = frame["item_id"].str.strip()
    frame["title"] = frame["title"].fillna("")
    for column in ("price", "stock"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame.drop_duplicates("item_id", keep="last").reset_index(drop=True)
