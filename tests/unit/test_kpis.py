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


def test_kpis_are_computed_from_daily_rows_as_strings_or_numbers():
    engine = FakeEngine([
        {"dt": "2024-01-01", "revenue": "100.0", "units": "10", "promo_units": "5", "stockout_days": "1", "currency": "EUR"},
        {"dt": "2024-01-02", "revenue": 50.0, "units": 10.0, "promo_units": 0.0, "stockout_days": 0, "currency": "EUR"},
    ])
    result = compute_kpis(engine, "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert result["kpis"] == {"revenue": 150.0, "units": 20.0, "average_selling_price": 7.5, "promo_share": 0.25, "stockout_days": 1}
    assert result["currency"] == "EUR"
    assert len(result["daily"]) == 2


def test_no_data_gives_zeros_not_errors():
    result = compute_kpis(FakeEngine([]), "t1", KpiQuery(start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert result["kpis"]["units"] == 0
    assert result["kpis"]["average_selling_price"] is None


def test_kpi_answers_are_kept_by_the_version_of_the_data_they_came_from():
    import json

    from smartretail.adapters.memory import MemoryObjectStore, MemoryResultCache, aws_error
    from smartretail.kpis import KpiService
    from smartretail.lake import latest_run_key

    engine, objects, cache = FakeEngine([{"dt": "2024-01-01", "revenue": 10, "units": 2, "promo_units": 0, "stockout_days": 0,
                                          "currency": "EUR"}]), MemoryObjectStore(), MemoryResultCache()
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
