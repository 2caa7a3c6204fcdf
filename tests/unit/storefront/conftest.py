"""Generated shoppers with two tastes (kitchen and garden) in two regions, and their items' titles."""

import numpy as np
import pandas as pd
import pytest

KITCHEN = [f"K{i}" for i in range(12)]
GARDEN = [f"G{i}" for i in range(12)]
TITLES = {**{k: f"kitchen pan pot knife set {k}" for k in KITCHEN}, **{g: f"garden hose spade rake {g}" for g in GARDEN},
          "NEW-K": "kitchen knife and pan set, new", "NEW-G": "garden rake and hose, new"}


def generated_events(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows, start = [], pd.Timestamp("2025-01-01")
    for user in range(160):
        side = KITCHEN if user % 2 == 0 else GARDEN
        region = "north" if user % 4 < 2 else "south"
        for visit in range(6):
            day = start + pd.Timedelta(days=int(rng.integers(0, 150)))
            for item in rng.choice(side, size=2, replace=False):
                rows.append((f"u{user}", item, day + pd.Timedelta(minutes=visit), "purchase", 1, region))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "event_type", "quantity", "store_id"])



@pytest.fixture(scope="session")
def events() -> pd.DataFrame:
    return generated_events()


@pytest.fixture(scope="session")
def items() -> pd.DataFrame:
    return pd.DataFrame({"item_id": list(TITLES), "title": list(TITLES.values())})
