"""A deterministic, realistic demo tenant: catalogue, stores, two years of daily sales with weekly and
yearly seasonality, promotions, holidays and price changes with a known elasticity per SKU, inventory
snapshots driven by a reorder policy with lead times (so stockouts happen and censor demand), and
competitor prices. Same seed, same files, byte for byte.
"""

import csv
import json
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

CATEGORIES = {
    "Beverages": (["Aqualis", "Fizzco", "Brewhouse"], 1.2, 0.35),   # brands, price scale, summer peak
    "Snacks": (["Crunchy", "Nutterly", "Saltgrove"], 1.5, 0.10),
    "Dairy": (["Alpenmilch", "Creamfield"], 1.1, 0.00),
    "Bakery": (["Ofenfrisch", "Golden Crust"], 1.0, -0.05),
    "Household": (["Sparkle", "Homely", "Purex"], 3.5, -0.10),
    "Personal Care": (["Velvet", "Puro"], 4.0, 0.00),
}
FIXED_HOLIDAYS = ("01-01", "01-06", "05-01", "10-03", "12-24", "12-25", "12-26", "12-31")
EASTER = {2024: date(2024, 3, 31), 2025: date(2025, 4, 20), 2026: date(2026, 4, 5), 2027: date(2027, 3, 28)}
CLOSED = ("12-25", "01-01")
COMPETITORS = ("ShopRival", "ValueMart")


@dataclass(frozen=True)
class DemoSpec:
    tenant_id: str = "demo"
    start: date = date(2024, 10, 1)
    days: int = 730
    skus_per_category: int = 6
    stores: int = 5
    seed: int = 20241001
    currency: str = "EUR"
    volume: float = 1.0  # demand multiplier: 10 is a busy shop whose weekly and promotion patterns stand out


def holidays(years: range) -> set[date]:
    out = set()
    for year in years:
        out |= {date.fromisoformat(f"{year}-{md}") for md in FIXED_HOLIDAYS}
        if year in EASTER:
            easter = EASTER[year]
            out |= {easter - timedelta(days=2), easter, easter + timedelta(days=1)}
    return out


def generate(spec: DemoSpec, out_dir: Path) -> dict:
    """Write products.csv, sales.csv, inventory.csv, competitor-prices.csv and truth.json; return the truth."""
    rng = np.random.default_rng(spec.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    dates = [spec.start + timedelta(days=i) for i in range(spec.days)]
    holiday_set = holidays(range(spec.start.year, dates[-1].year + 1))
    stores = [f"S{i + 1:02d}" for i in range(spec.stores)]
    store_size = rng.uniform(0.6, 1.6, len(stores))

    products, truth = [], {"tenant_id": spec.tenant_id, "elasticity": {}, "lead_time_days": {}}
    for category, (brands, scale, summer) in CATEGORIES.items():
        for j in range(spec.skus_per_category):
            sku = f"{category[:3].upper()}-{j + 1:03d}"
            price = round(float(rng.uniform(1.0, 6.0) * scale), 2)
            cost = round(price * float(rng.uniform(0.55, 0.75)), 2)
            elasticity = round(float(rng.uniform(-2.6, -0.7)), 3)
            products.append({
                "sku_id": sku, "name": f"{brands[j % len(brands)]} {category} {j + 1}", "category": category,
                "brand": brands[j % len(brands)], "unit_cost": cost, "list_price": price,
                "min_margin_pct": round(float(rng.uniform(8, 20)), 1), "currency": spec.currency,
                # Brands of personal care set a minimum advertised price; household goods ship in cases.
                "min_price": "", "max_price": round(price * 1.6, 2),
                "map_price": round(price * 0.85, 2) if category == "Personal Care" else "",
                "moq": 12 if category == "Household" else "",
                "_popularity": float(rng.lognormal(1.3, 0.6)), "_summer": summer, "_elasticity": elasticity,
                "_lead_time": int(rng.integers(2, 8)),
            })
            truth["elasticity"][sku] = elasticity
            truth["lead_time_days"][sku] = products[-1]["_lead_time"]

    weekday_effect = np.array([0.92, 0.9, 0.95, 1.0, 1.12, 1.3, 0.81])
    sales_rows, inventory_rows, competitor_rows = [], [], []
    for p in products:
        n = spec.days
        # Price path: steps every 4-10 weeks, promotions (15-30% off) for 7-14 days about 8% of the time.
        regular = np.empty(n)
        level, i = p["list_price"], 0
        while i < n:
            span = int(rng.integers(28, 71))
            regular[i : i + span] = level
            level = round(max(0.5, level * float(rng.choice([0.93, 0.96, 1.04, 1.07, 1.1]))), 2)
            i += span
        promo = np.zeros(n, dtype=bool)
        i = int(rng.integers(10, 40))
        while i < n:
            promo[i : i + int(rng.integers(7, 15))] = True
            i += int(rng.integers(70, 130))
        discount = np.where(promo, rng.uniform(0.15, 0.30), 0.0)
        price = np.round(regular * (1 - discount), 2)
        reference = p["list_price"]
        t = np.arange(n)
        yearly = 1 + p["_summer"] * np.sin(2 * math.pi * (t + (spec.start.timetuple().tm_yday - 172 + 91)) / 365.25)
        trend = 1 + 0.08 * t / 365
        for s, store in enumerate(stores):
            base = p["_popularity"] * store_size[s] * spec.volume
            on_hand = int(base * 14) + 10
            pipeline: dict[int, int] = {}
            lead = p["_lead_time"]
            known_from = 180 if store == stores[-1] else 0  # the newest store reports stock late
            for d, day in enumerate(dates):
                on_hand += pipeline.pop(d, 0)
                md = day.strftime("%m-%d")
                closed = md in CLOSED
                lam = base * weekday_effect[day.weekday()] * yearly[d] * trend[d]
                lam *= (price[d] / reference) ** p["_elasticity"] * (1.25 if promo[d] else 1.0)
                lam *= 1.35 if day in holiday_set and not closed else 1.0
                demand = 0 if closed else int(rng.negative_binomial(5, 5 / (5 + lam)))
                sold = min(demand, on_hand)
                on_hand -= sold
                # Reorder policy: order up to 3 weeks of demand when below ~lead-time demand.
                if on_hand + sum(pipeline.values()) < base * (lead + 2) and not closed:
                    pipeline[d + lead] = pipeline.get(d + lead, 0) + int(base * 21)
                show_price = "" if rng.random() < 0.01 else f"{price[d]:.2f}"
                if not closed:
                    sales_rows.append([day.isoformat(), store, p["sku_id"], sold, show_price, str(bool(promo[d])).lower(), spec.currency])
                inventory_rows.append([day.isoformat(), store, p["sku_id"], on_hand if d >= known_from else "", sum(pipeline.values()), lead])
        for d in range(0, n, 7):
            for c, competitor in enumerate(COMPETITORS):
                quote = regular[d] * float(rng.normal(1.0 + 0.04 * (c - 0.5), 0.05))
                competitor_rows.append([dates[d].isoformat(), p["sku_id"], competitor, f"{max(0.2, quote):.2f}", "", spec.currency])

    public = [{k: v for k, v in p.items() if not k.startswith("_")} for p in products]
    _write(out_dir / "products.csv", list(public[0]), [list(p.values()) for p in public])
    _write(out_dir / "sales.csv", ["date", "store_id", "sku_id", "units", "price", "promo_flag", "currency"], sales_rows)
    _write(out_dir / "inventory.csv", ["date", "store_id", "sku_id", "on_hand", "on_order", "lead_time_days"], inventory_rows)
    _write(out_dir / "competitor-prices.csv", ["date", "sku_id", "competitor", "price", "store_id", "currency"], competitor_rows)
    (out_dir / "truth.json").write_text(json.dumps(truth, indent=2, sort_keys=True))
    return truth


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
