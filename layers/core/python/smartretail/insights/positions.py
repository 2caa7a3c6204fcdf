"""Where each SKU stands in each store at the end of the history: today's price, stock on hand and on
order, lead time, cost and price limits from the product master, the latest competitor prices, and
the last days of sales. Built by the training job from the lake (pandas) and stored for the API, the
price and reorder recommendations and the alert evaluation, which must not load the lake themselves.
"""

import math
from pathlib import Path

import pandas as pd

RECENT_DAYS = 14
COMPETITOR_MAX_AGE_DAYS = 28  # older quotes say little about today's market
PRODUCT_FIELDS = ("name", "brand", "unit_cost", "list_price", "min_margin_pct", "min_price", "max_price", "map_price", "moq", "max_order_qty")


def read_table(path: Path | None) -> pd.DataFrame | None:
    """A cleaned table's Parquet files under `path` (a training-job channel), or None if absent."""
    if path is None or not path.exists() or not any(path.rglob("*.parquet")):
        return None
    return pd.read_parquet(path)


def _clean(value):
    """A JSON-ready value: numpy scalars as Python numbers, NaN (pandas' missing) as None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def build(frame: pd.DataFrame, inventory: pd.DataFrame | None, products: pd.DataFrame | None,
          competitors: pd.DataFrame | None) -> list[dict]:
    """One position per store x SKU of the training frame (unique_id "STORE|SKU", ds, y, promo, price,
    category)."""
    frame = frame.sort_values(["unique_id", "ds"])
    product_rows = {}
    if products is not None and not products.empty:
        for row in products.to_dict("records"):
            product_rows[str(row["sku_id"])] = row
    stock = {}
    if inventory is not None and not inventory.empty:
        inv = inventory.sort_values("date")
        for key, part in inv.groupby(["store_id", "sku_id"]):
            known = part[part["on_hand"].notna()]
            last = part.iloc[-1]
            stock[key] = {
                "on_hand": _clean(known["on_hand"].iloc[-1]) if not known.empty else None,
                "on_hand_date": str(known["date"].iloc[-1]) if not known.empty else None,
                "on_order": _clean(last.get("on_order")) or 0,
                "lead_time_days": _clean(part["lead_time_days"].dropna().iloc[-1]) if part["lead_time_days"].notna().any() else None,
            }
    quotes = _latest_competitor_prices(competitors)

    positions = []
    for uid, series in frame.groupby("unique_id", sort=True):
        store_id, sku_id = uid.split("|", 1)
        priced = series[series["price"].notna()]
        recent = series.tail(RECENT_DAYS)
        product = product_rows.get(sku_id, {})
        position = {
            "store_id": store_id, "sku_id": sku_id, "category": str(series["category"].iloc[-1]),
            "current_price": _clean(round(float(priced["price"].iloc[-1]), 2)) if not priced.empty else None,
            "price_date": str(priced["ds"].iloc[-1].date()) if not priced.empty else None,
            "last_sales_date": str(series["ds"].max().date()),
            "avg_daily_units_28": round(float(series.tail(28)["y"].mean()), 3),
            "recent": [{"date": str(r.ds.date()), "units": float(r.y), "promo": bool(r.promo)} for r in recent.itertuples()],
            **{name: _clean(product.get(name)) for name in PRODUCT_FIELDS},
            **stock.get((store_id, sku_id), {"on_hand": None, "on_hand_date": None, "on_order": 0, "lead_time_days": None}),
        }
        prices = {**quotes.get((sku_id, ""), {}), **quotes.get((sku_id, store_id), {})}
        position["competitor_prices"] = {name: quote["price"] for name, quote in prices.items()}
        position["competitor_previous"] = {name: quote["previous"] for name, quote in prices.items() if quote["previous"]}
        position["competitor_date"] = max((quote["date"] for quote in prices.values()), default=None)
        positions.append(position)
    return positions


def _latest_competitor_prices(competitors: pd.DataFrame | None) -> dict[tuple[str, str], dict[str, dict]]:
    """(sku, store or "") -> competitor -> its latest price, that price's date and the quote before it."""
    if competitors is None or competitors.empty:
        return {}
    dates = pd.to_datetime(competitors["date"])
    competitors = competitors[dates >= dates.max() - pd.Timedelta(days=COMPETITOR_MAX_AGE_DAYS)]
    out: dict[tuple[str, str], dict[str, dict]] = {}
    for (sku, store, competitor), part in competitors.sort_values("date").groupby(["sku_id", "store_id", "competitor"]):
        last = part.iloc[-1]
        previous = round(float(part["price"].iloc[-2]), 2) if len(part) > 1 else None
        out.setdefault((sku, store or ""), {})[competitor] = {
            "price": round(float(last["price"]), 2), "date": str(last["date"]), "previous": previous}
    return out
