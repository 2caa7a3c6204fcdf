from datetime import date

import pytest
from pydantic import ValidationError

from smartretail.errors import InvalidRequest
from smartretail.kpis import KpiQuery, build_query, compute_kpis


class FakeEngine:
    def __init__(self, rows):
        self.rows, self.calls = rows, []

    def query(self, sql, parameters):
        self.calls.append((sql, list(parameters)))
        return self.rows


def test_the_query_is_always_scoped_to_the_callers_tenant():
    sql, params = build_query("t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 31), store_id=" s1 ", category="Dairy"))
    assert "WHERE tenant_id = ? AND dt BETWEEN ? AND ? AND store_id = ? AND category = ?" in sql
    assert params == ["t1", "2024-01-01", "2024-01-31", "S1", "Dairy"]


def test_ids_with_sql_characters_are_refused():
    with pytest.raises(InvalidRequest):
        build_query("t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 2), sku_id="A' OR '1'='1"))


def test_a_date_range_must_be_ordered_and_bounded():
    with pytest.raises(ValidationError, match="end must be on or after start"):
        KpiQuery(start=date(2024, 2, 1), end=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="at most"):
        KpiQuery(start=date(2010, 1, 1), end=date(2024, 1, 1))


STOCK_UNKNOWN = {"stock_known_days": 0, "costed_revenue": 0, "cost": None, "on_hand_units": None, "stock_value": None}


def test_kpis_are_computed_from_daily_rows_as_strings_or_numbers():
    # Two series a day (4 stock-days known, 1 out of stock); cost known for all of day 1's revenue and
    # half of day 2's; 40 and 60 units on hand at cost 2 each.
    engine = FakeEngine([
        {"dt": "2024-01-01", "revenue": "100.0", "units": "10", "promo_units": "5", "stockout_days": "1", "currency": "EUR",
         "stock_known_days": "2", "costed_revenue": "100.0", "cost": "60.0", "on_hand_units": "40", "stock_value": "80.0"},
        {"dt": "2024-01-02", "revenue": 50.0, "units": 10.0, "promo_units": 0.0, "stockout_days": 0, "currency": "EUR",
         "stock_known_days": 2, "costed_revenue": 25.0, "cost": 15.0, "on_hand_units": 60, "stock_value": 120.0},
    ])
    result = compute_kpis(engine, "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert result["kpis"] == {"revenue": 150.0, "units": 20.0, "average_selling_price": 7.5, "promo_share": 0.25, "stockout_days": 1,
                              "gross_margin": 50.0, "margin_rate": 0.4, "stockout_rate": 0.25,
                              # cost of goods sold 75 over the average stock at cost (80 + 120) / 2 = 100
                              "inventory_turns": 0.75, "inventory_turns_annualised": 136.88}
    assert result["currency"] == "EUR"
    assert len(result["daily"]) == 2


def test_no_data_gives_zeros_not_errors():
    result = compute_kpis(FakeEngine([]), "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert result["kpis"]["units"] == 0
    assert result["kpis"]["average_selling_price"] is None
    assert result["kpis"]["gross_margin"] is result["kpis"]["stockout_rate"] is result["kpis"]["inventory_turns"] is None


def test_unknown_cost_or_stock_leaves_margin_and_turns_unknown_rather_than_zero():
    row = {"dt": "2024-01-01", "revenue": 10, "units": 2, "promo_units": 0, "stockout_days": 0, "currency": "EUR", **STOCK_UNKNOWN}
    kpis = compute_kpis(FakeEngine([row]), "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 1)))["kpis"]
    assert kpis["gross_margin"] is None and kpis["margin_rate"] is None and kpis["inventory_turns"] is None


def test_kpi_answers_are_kept_by_the_version_of_the_data_they_came_from():
    import json

    from smartretail.adapters.memory import MemoryObjectStore, MemoryResultCache, aws_error
    from smartretail.kpis import KpiService
    from smartretail.lake import latest_run_key

    engine, objects, cache = FakeEngine([{"dt": "2024-01-01", "revenue": 10, "units": 2, "promo_units": 0, "stockout_days": 0,
                                          "currency": "EUR", **STOCK_UNKNOWN}]), MemoryObjectStore(), MemoryResultCache()
    service = KpiService(engine, objects, "curated", cache)
    query = KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 31))
    service.kpis("t1", query)
    assert len(engine.calls) == 1 and not cache.entries  # no ETL run yet: nothing to key an answer by
    objects.put_bytes("curated", latest_run_key("t1"), json.dumps({"run_id": "r1"}).encode())
    first = service.kpis("t1", query)
    assert service.kpis("t1", query) == first and len(engine.calls) == 2  # the second answer came from the cache
    objects.put_bytes("curated", latest_run_key("t1"), json.dumps({"run_id": "r2"}).encode())
    service.kpis("t1", query)
    assert len(engine.calls) == 3  # a new ETL run: computed again
    cache.fail_next(aws_error("ThrottlingException", "GetItem"), times=2)
    assert service.kpis("t1", query) == first  # a cache that cannot answer is skipped
    assert service.kpis("t2", query)["kpis"]["revenue"] == 10  # another tenant has no version: never another's answer


def test_the_catalog_lists_stores_categories_and_skus_with_the_days_they_cover():
    from smartretail.kpis import compute_catalog

    engine = FakeEngine([
        {"store_id": "S01", "sku_id": "A", "category": "Snacks", "first_day": "2024-01-01", "last_day": "2024-03-31"},
        {"store_id": "S02", "sku_id": "A", "category": "Snacks", "first_day": "2024-02-01", "last_day": "2024-04-30"},
        {"store_id": "S02", "sku_id": "B", "category": "Dairy", "first_day": "2024-01-15", "last_day": "2024-04-30"},
    ])
    assert compute_catalog(engine, "t1") == {
        "stores": ["S01", "S02"], "categories": ["Dairy", "Snacks"],
        "skus": [{"sku_id": "A", "category": "Snacks", "store_ids": ["S01", "S02"]},
                 {"sku_id": "B", "category": "Dairy", "store_ids": ["S02"]}],
        "first_day": "2024-01-01", "last_day": "2024-04-30"}
    assert compute_catalog(FakeEngine([]), "t1") == {"stores": [], "categories": [], "skus": [], "first_day": None, "last_day": None}
