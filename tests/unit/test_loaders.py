"""The public-data loaders produce rows that pass the ingestion contracts."""

from itertools import islice
from pathlib import Path

import pytest

from smartretail.contracts import CONTRACTS
from smartretail.demo.loaders import SALES_HEADER, m5_products, m5_sales, rossmann_products, rossmann_sales

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

needs_data = pytest.mark.skipif(not (SHARED_DATA / "rossmann").exists(), reason="../shared/data is not beside the repository")


def _valid(rows, dataset="sales", header=SALES_HEADER):
    for row in rows:
        values, reasons = CONTRACTS[dataset].validate_row(dict(zip(header, row)))
        assert reasons == [], (row, reasons)
        yield values


@needs_data
def test_rossmann_rows_follow_the_sales_contract_and_closed_days_are_zero():
    rows = list(_valid(islice(rossmann_sales(SHARED_DATA / "rossmann"), 5000)))
    assert rows[0]["store_id"].startswith("R")
    assert rows[0]["sku_id"] == "STORE_TOTAL"
    with (SHARED_DATA / "rossmann" / "train.csv").open() as f:
        next(f)
        closed = sum(1 for line, _ in zip(f, range(5000)) if line.split(",")[5] == "0")
    assert sum(1 for r in rows if r["units"] == 0) >= closed
    header = ["sku_id", "name", "category", "brand", "unit_cost", "list_price", "min_margin_pct", "currency"]
    assert list(_valid(rossmann_products(), "products", header))


@needs_data
def test_m5_rows_carry_the_weeks_price_and_follow_the_contract():
    rows = list(_valid(islice(m5_sales(SHARED_DATA / "m5_slice"), 3000)))
    assert all(r["price"] > 0 for r in rows)
    assert {r["currency"] for r in rows} == {"USD"}
    products = m5_products(SHARED_DATA / "m5_slice")
    assert len(products) == 10
    assert list(_valid(products, "products", ["sku_id", "name", "category", "brand"]))


@needs_data
@pytest.mark.slow
def test_every_rossmann_row_passes_the_contract():
    assert sum(1 for _ in _valid(rossmann_sales(SHARED_DATA / "rossmann"))) > 900_000
