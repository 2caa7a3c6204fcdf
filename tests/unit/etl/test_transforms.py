import json
from datetime import date, timedelta

import pytest

from smartretail.etl.pipeline import run_etl
from smartretail.etl.quality import QualityReport
from smartretail.etl.schemas import ACCEPTED_SCHEMAS
from smartretail.etl.transforms import clean_inventory, clean_sales, curate_sales_daily, clean_products


pytestmark = pytest.mark.spark  # may talk to its own JVM on loopback, nothing else


def _frame(spark, dataset, defaults, rows):
    schema = ACCEPTED_SCHEMAS[dataset]
    return spark.createDataFrame([tuple({**defaults, **r}.get(f.name) for f in schema) for r in rows], schema)


def sales_df(spark, rows):
    defaults = dict(price=None, promo_flag=False, currency=None, source_event_id=None, upload_id="up_1",
                    ingested_at="2024-01-01T00:00:00+00:00", row_number=1)
    return _frame(spark, "sales", defaults, rows)


def inventory_df(spark, rows):
    defaults = dict(on_hand=None, on_order=None, lead_time_days=None, upload_id="up_2", ingested_at="2024-01-01T00:00:00+00:00", row_number=1)
    return _frame(spark, "inventory", defaults, rows)


def products_df(spark, rows):
    defaults = dict(brand=None, unit_cost=None, list_price=None, min_margin_pct=None, currency=None, min_price=None,
                    max_price=None, map_price=None, moq=None, max_order_qty=None, upload_id="up_3",
                    ingested_at="2024-01-01T00:00:00+00:00", row_number=1)
    return _frame(spark, "products", defaults, rows)


def checks(report):
    return {(c.dataset, c.rule): (c.rows_checked, c.rows_failed) for c in report.checks}


def test_ids_are_trimmed_and_uppercased_and_the_latest_upload_wins(spark):
    report = QualityReport("t", "r")
    df = sales_df(spark, [
        dict(date="2024-01-01", store_id=" s1", sku_id="a ", units=3.0, price=2.0),
        dict(date="2024-01-01", store_id="S1", sku_id="A", units=5.0, price=2.0, upload_id="up_9", ingested_at="2024-02-01T00:00:00+00:00"),
    ])
    out = clean_sales(df, "EUR", {}, report).collect()
    assert len(out) == 1
    assert (out[0].store_id, out[0].sku_id, out[0].units) == ("S1", "A", 5.0)
    assert checks(report)[("sales", "unique_date_sku_store_event")] == (2, 1)


def test_transactions_with_their_own_event_ids_are_all_kept(spark):
    df = sales_df(spark, [
        dict(date="2024-01-01", store_id="S1", sku_id="A", units=1.0, price=2.0, source_event_id="t1"),
        dict(date="2024-01-01", store_id="S1", sku_id="A", units=1.0, price=2.0, source_event_id="t2"),
    ])
    assert clean_sales(df, "EUR", {}, QualityReport("t", "r")).count() == 2


def test_missing_prices_are_forward_filled_within_sku_and_store_and_flagged(spark):
    report = QualityReport("t", "r")
    df = sales_df(spark, [
        dict(date="2024-01-01", store_id="S1", sku_id="A", units=1.0, price=None),
        dict(date="2024-01-02", store_id="S1", sku_id="A", units=1.0, price=2.0),
        dict(date="2024-01-03", store_id="S1", sku_id="A", units=1.0, price=None),
        dict(date="2024-01-03", store_id="S2", sku_id="A", units=1.0, price=None),
    ])
    rows = {(r.store_id, r.date): r for r in clean_sales(df, "EUR", {}, report).collect()}
    assert rows[("S1", "2024-01-03")].price == 2.0
    assert rows[("S1", "2024-01-03")].imputed_price is True
    assert rows[("S1", "2024-01-02")].imputed_price is False
    assert rows[("S1", "2024-01-01")].price is None
    assert rows[("S1", "2024-01-01")].imputed_price is False
    assert rows[("S2", "2024-01-03")].price is None  # never filled from another store
    assert checks(report)[("sales", "price_present_or_forward_filled")] == (3, 2)


def test_prices_are_converted_to_the_base_currency_and_unknown_currencies_reported(spark):
    report = QualityReport("t", "r")
    df = sales_df(spark, [
        dict(date="2024-01-01", store_id="S1", sku_id="A", units=1.0, price=10.0, currency="usd"),
        dict(date="2024-01-01", store_id="S1", sku_id="B", units=1.0, price=10.0, currency="XYZ"),
        dict(date="2024-01-01", store_id="S1", sku_id="C", units=1.0, price=10.0),
    ])
    rows = {r.sku_id: r for r in clean_sales(df, "EUR", {"USD": 0.9}, report).collect()}
    assert rows["A"].price == 9.0
    assert rows["A"].currency == "EUR"
    assert "B" not in rows
    assert rows["C"].price == 10.0
    assert checks(report)[("sales", "currency_convertible_to_base")] == (3, 1)


def test_units_are_winsorized_per_sku_except_on_promotion_days_and_unknown_stock_stays_unknown(spark):
    report = QualityReport("t", "r")
    start = date(2023, 7, 1)  # 200 ordinary days, then one outlier and one promotion spike
    days = [dict(date=(start + timedelta(days=d)).isoformat(), store_id="S1", sku_id="A", units=10.0 + d % 5, price=1.0) for d in range(200)]
    days += [dict(date="2024-01-29", store_id="S1", sku_id="A", units=500.0, price=1.0),
             dict(date="2024-01-30", store_id="S1", sku_id="A", units=400.0, price=0.8, promo_flag=True)]
    sales = clean_sales(sales_df(spark, days), "EUR", {}, report)
    inventory = clean_inventory(inventory_df(spark, [
        dict(date="2024-01-29", store_id="S1", sku_id="A", on_hand=0),
        dict(date="2024-01-30", store_id="S1", sku_id="A", on_hand=None),
        dict(date="2024-01-31", store_id="s1", sku_id="a", on_hand=7),
    ]), report)
    products = clean_products(products_df(spark, [dict(sku_id="a", name="Apple", category=" Fruit ")]), "EUR", {}, report)
    fact = {r.dt: r for r in curate_sales_daily(sales, inventory, products, "EUR", report).collect()}
    assert fact["2024-01-29"].units == 500.0
    assert fact["2024-01-29"].units_clean == 14.0
    assert fact["2024-01-30"].units_clean == 400.0  # promotion spikes are real demand
    assert fact["2024-01-29"].stockout is True
    assert fact["2024-01-30"].stockout is None
    assert fact["2024-01-31"].units == 0.0
    assert fact["2024-01-31"].on_hand == 7
    assert fact["2024-01-31"].stockout is False
    assert fact["2023-07-01"].category == "Fruit"
    assert fact["2024-01-29"].revenue == 500.0
    assert checks(report)[("inventory", "on_hand_known")] == (3, 1)


def test_a_run_writes_cleaned_and_curated_parquet_and_a_quality_report(spark, tmp_path):
    sales_file = tmp_path / "sales.jsonl"
    sales_file.write_text("\n".join(json.dumps(r) for r in [
        {"date": "2024-01-01", "store_id": "S1", "sku_id": "A", "units": 2, "price": 3.0, "promo_flag": False,
         "upload_id": "up_1", "ingested_at": "2024-01-01", "row_number": 2},
        {"date": "2024-01-02", "store_id": "S1", "sku_id": "A", "units": 4, "price": None, "promo_flag": True,
         "upload_id": "up_1", "ingested_at": "2024-01-01", "row_number": 3},
    ]))
    report = run_etl(spark, "t1", {"sales": [str(sales_file)]}, str(tmp_path / "cleaned"), str(tmp_path / "curated"), "EUR", {}, "run-1")
    curated = spark.read.parquet(str(tmp_path / "curated" / "sales_daily" / "tenant_id=t1"))
    assert sorted(str(r.dt) for r in curated.collect()) == ["2024-01-01", "2024-01-02"]
    assert (tmp_path / "curated" / "sales_daily" / "tenant_id=t1" / "dt=2024-01-02").is_dir()
    assert report.outputs["curated.sales_daily"] == 2
    assert report.outputs["cleaned.products"] == 0
    body = json.loads(report.to_json())
    assert {"dataset", "rule", "rows_checked", "rows_failed", "failure_rate"} <= set(body["checks"][0])
