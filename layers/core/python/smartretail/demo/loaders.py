"""Turn public data sets in ../shared/data into the ingestion contracts (for benchmarks only; the
data itself never enters the repository)."""

import csv
from pathlib import Path
from typing import Iterator

SALES_HEADER = ["date", "store_id", "sku_id", "units", "price", "promo_flag", "currency", "source_event_id"]


def rossmann_sales(data_dir: Path) -> Iterator[list[str]]:
    """Rossmann daily store turnover as one store-level 'SKU' per store; closed days are 0 units."""
    with (data_dir / "train.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            units = row["Sales"] if row["Open"] == "1" else "0"
            yield [row["Date"], f"R{int(row['Store']):04d}", "STORE_TOTAL", units, "", "true" if row["Promo"] == "1" else "false", "EUR", ""]


def rossmann_products() -> list[list[str]]:
    return [["STORE_TOTAL", "Rossmann store basket", "Drugstore", "Rossmann", "", "", "", "EUR"]]


def m5_sales(data_dir: Path) -> Iterator[list[str]]:
    """M5 slice (wide d_1..d_1913) -> one row per item, store and day with the week's sell price."""
    calendar = {}
    with (data_dir / "calendar.csv").open(newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=1):
            calendar[f"d_{i}"] = (row["date"], row["wm_yr_wk"])
    prices = {}
    with (data_dir / "spot_subset_sell_prices.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            prices[(row["store_id"], row["item_id"], row["wm_yr_wk"])] = row["sell_price"]
    with (data_dir / "spot_subset_sales_train_validation.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            for d, units in row.items():
                if not d.startswith("d_") or d not in calendar:
                    continue
                day, week = calendar[d]
                price = prices.get((row["store_id"], row["item_id"], week))
                if price is None:
                    continue  # not on sale yet that week
                yield [day, row["store_id"], row["item_id"], units, price, "false", "USD", ""]


def m5_products(data_dir: Path) -> list[list[str]]:
    with (data_dir / "spot_subset_sales_train_validation.csv").open(newline="") as f:
        return sorted({(r["item_id"], r["item_id"], r["cat_id"], r["dept_id"]) for r in csv.DictReader(f)})


def write_csv(path: Path, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
