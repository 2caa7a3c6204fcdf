"""Shopper events for the demo tenant's storefront (and tests): shoppers with a favourite category and
a second one, each visit a few views, some added to the cart, some bought; popular items are seen more
often; regular shoppers come back for the same item. Timestamps end now (the events route refuses the future)."""

from datetime import datetime, timedelta, timezone

import numpy as np


def shopper_events(products: list[dict], shoppers: int = 300, days: int = 90, seed: int = 11,
                   stores: tuple[str, ...] = ("S01",), prefix: str = "shopper") -> list[dict]:
    """Events as the storefront's events route takes them, oldest first."""
    rng = np.random.default_rng(seed)
    by_category: dict[str, list[str]] = {}
    for p in products:
        by_category.setdefault(p["category"], []).append(p["sku_id"])
    categories = sorted(by_category)
    appeal = {sku: float(rng.lognormal(0, 0.7)) for skus in by_category.values() for sku in skus}
    now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
    events = []
    for s in range(shoppers):
        user = f"{prefix}-{s:04d}"
        first, second = rng.choice(len(categories), 2, replace=False)
        store = stores[s % len(stores)]
        staples = []
        for v in range(int(rng.integers(2, 9))):
            when = now - timedelta(days=float(rng.uniform(0, days)))
            category = categories[first if rng.random() < 0.75 else second]
            skus = by_category[category]
            weights = np.array([appeal[k] for k in skus])
            seen = list(rng.choice(skus, size=min(len(skus), int(rng.integers(2, 5))), replace=False, p=weights / weights.sum()))
            if staples and rng.random() < 0.5:
                seen.append(staples[int(rng.integers(len(staples)))])
            session = f"{user}-v{v}"
            for i, sku in enumerate(seen):
                at = when + timedelta(minutes=2 * i)
                events.append({"user_id": user, "item_id": sku, "event_type": "view", "timestamp": at, "session_id": session, "store_id": store})
                if rng.random() < 0.45:
                    events.append({"user_id": user, "item_id": sku, "event_type": "add_to_cart", "timestamp": at + timedelta(seconds=30),
                                   "session_id": session, "store_id": store})
                    if rng.random() < 0.7:
                        events.append({"user_id": user, "item_id": sku, "event_type": "purchase", "timestamp": at + timedelta(minutes=1),
                                       "session_id": session, "store_id": store, "quantity": int(rng.integers(1, 4))})
                        if rng.random() < 0.3:
                            staples.append(sku)
    events.sort(key=lambda e: e["timestamp"])
    for n, e in enumerate(events):
        e["event_id"] = f"{prefix}-e{n:07d}"
        e["timestamp"] = e["timestamp"].isoformat()
    return events
