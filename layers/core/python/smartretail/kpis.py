"""Sales KPIs over the curated `sales_daily` table.

One query definition serves both engines: Athena in AWS and DuckDB over the same Parquet files
locally. Written in the SQL subset both share; `{sales_daily}` is replaced by each engine's table
reference and `?` are positional parameters.
"""

import json
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, model_validator

from .errors import InvalidRequest, ServiceUnavailable
from .lake import check_id, latest_run_key
from .memo import Recent, kept, remembered
from .ports import ObjectStore, QueryEngine, ResultCache

MAX_RANGE_DAYS = 3 * 366

KPI_SQL = """
SELECT dt,
       SUM(revenue) AS revenue,
       SUM(units) AS units,
       SUM(CASE WHEN promo_flag THEN units ELSE 0 END) AS promo_units,
       SUM(CASE WHEN stockout THEN 1 ELSE 0 END) AS stockout_days,
       MAX(currency) AS currency
FROM {sales_daily}
WHERE tenant_id = ? AND dt BETWEEN ? AND ?{filters}
GROUP BY dt
ORDER BY dt
"""

FILTER_COLUMNS = ("store_id", "category", "sku_id")


class KpiQuery(BaseModel):
    start: date = Field(description="first day, inclusive (YYYY-MM-DD)")
    end: date = Field(description="last day, inclusive (YYYY-MM-DD)")
    store_id: str | None = None
    category: str | None = None
    sku_id: str | None = None

    @model_validator(mode="after")
    def _check(self) -> "KpiQuery":
        if self.end < self.start:
            raise ValueError("end must be on or after start")
        if (self.end - self.start).days > MAX_RANGE_DAYS:
            raise ValueError(f"the date range may span at most {MAX_RANGE_DAYS} days")
        return self


def build_query(tenant_id: str, q: KpiQuery) -> tuple[str, list[str]]:
    params = [tenant_id, q.start.isoformat(), q.end.isoformat()]
    filters = ""
    for column in FILTER_COLUMNS:
        value = getattr(q, column)
        if value is not None:
            # IDs are stored trimmed and upper-cased by the ETL; categories as sent.
            value = value.strip()
            if column != "category":
                value = check_id(value, column).upper()
            elif not value or len(value) > 128:
                raise InvalidRequest("category must be 1-128 characters", field="category")
            filters += f" AND {column} = ?"
            params.append(value)
    return KPI_SQL.replace("{filters}", filters), params


def _num(value: Any) -> float:
    return float(value) if value not in (None, "") else 0.0


def compute_kpis(engine: QueryEngine, tenant_id: str, q: KpiQuery) -> dict[str, Any]:
    sql, params = build_query(tenant_id, q)
    rows = engine.query(sql, params)
    daily = [
        {
            "date": str(r["dt"]),
            "revenue": round(_num(r["revenue"]), 2),
            "units": _num(r["units"]),
            "promo_units": _num(r["promo_units"]),
            "stockout_days": int(_num(r["stockout_days"])),
        }
        for r in rows
    ]
    revenue = sum(d["revenue"] for d in daily)
    units = sum(d["units"] for d in daily)
    promo_units = sum(d["promo_units"] for d in daily)
    currencies = {r.get("currency") for r in rows if r.get("currency")}
    return {
        "period": {"start": q.start.isoformat(), "end": q.end.isoformat()},
        "filters": {c: getattr(q, c) for c in FILTER_COLUMNS if getattr(q, c) is not None},
        "currency": currencies.pop() if len(currencies) == 1 else None,
        "kpis": {
            "revenue": round(revenue, 2),
            "units": units,
            "average_selling_price": round(revenue / units, 4) if units else None,
            "promo_share": round(promo_units / units, 4) if units else None,
            "stockout_days": sum(d["stockout_days"] for d in daily),
        },
        "days_with_data": len(daily),
        "daily": daily,
    }


CACHE_SECONDS = 7 * 24 * 3600


class KpiService:
    """KPIs of a tenant's curated sales, each answer kept by the version of the data it was computed
    from (the tenant's latest ETL run): asked again, it costs two small reads instead of a query
    (in AWS an Athena scan: 1-3 s and at least 10 MB billed); a new ETL run makes every answer fresh."""

    def __init__(self, engine: QueryEngine, objects: ObjectStore, curated_bucket: str, cache: ResultCache | None = None,
                 recent: Recent | None = None):
        self._engine = engine
        self._objects = objects
        self._bucket = curated_bucket
        self._cache = cache
        self._recent = recent

    def kpis(self, tenant_id: str, q: KpiQuery) -> dict[str, Any]:
        try:
            report = remembered(self._recent, ("data version", tenant_id),
                                lambda: self._objects.read_if_exists(self._bucket, latest_run_key(tenant_id))) if self._cache else None
        except ServiceUnavailable:
            report = None
        if report is None:  # no curated data yet, no cache, or its version unreadable: answer from the data
            return compute_kpis(self._engine, tenant_id, q)
        version = json.loads(report).get("run_id", "")
        return kept(self._cache, tenant_id, "kpis", [version, q.model_dump(mode="json")],
                    lambda: compute_kpis(self._engine, tenant_id, q), CACHE_SECONDS)
