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
       SUM(CASE WHEN stockout IS NOT NULL THEN 1 ELSE 0 END) AS stock_known_days,
       SUM(CASE WHEN unit_cost IS NOT NULL THEN revenue ELSE 0 END) AS costed_revenue,
       SUM(units * unit_cost) AS cost,
       SUM(on_hand) AS on_hand_units,
       SUM(on_hand * unit_cost) AS stock_value,
       MAX(currency) AS currency
FROM {sales_daily}
WHERE tenant_id = ? AND dt BETWEEN ? AND ?{filters}
GROUP BY dt
ORDER BY dt
"""

FILTER_COLUMNS = ("store_id", "category", "sku_id")

CATALOG_SQL = """
SELECT store_id, sku_id, MAX(category) AS category, MAX(dt) AS last_day, MIN(dt) AS first_day
FROM {sales_daily}
WHERE tenant_id = ?
GROUP BY store_id, sku_id
ORDER BY store_id, sku_id
"""


def compute_catalog(engine: QueryEngine, tenant_id: str) -> dict[str, Any]:
    """The stores, categories and SKUs a tenant's curated data holds, and the days it covers: what
    the dashboard's pickers offer, so nobody types an ID that has no data."""
    rows = engine.query(CATALOG_SQL, [tenant_id])
    skus: dict[str, dict[str, Any]] = {}
    for r in rows:
        sku = skus.setdefault(r["sku_id"], {"sku_id": r["sku_id"], "category": r["category"], "store_ids": []})
        sku["store_ids"].append(r["store_id"])
    days = [str(r[k]) for r in rows for k in ("first_day", "last_day")]
    return {
        "stores": sorted({r["store_id"] for r in rows}),
        "categories": sorted({r["category"] for r in rows if r["category"]}),
        "skus": list(skus.values()),
        "first_day": min(days) if days else None,
        "last_day": max(days) if days else None,
    }


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
    totals = {k: sum(_num(r[k]) for r in rows) for k in ("stockout_days", "stock_known_days", "costed_revenue", "cost", "on_hand_units", "stock_value")}
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
            **stock_and_margin(totals, units, len(daily)),
        },
        "days_with_data": len(daily),
        "daily": daily,
    }


def stock_and_margin(totals: dict[str, float], units: float, days: int) -> dict[str, float | None]:
    """Margin on the SKUs whose cost is known, the share of SKU-store-days out of stock among those
    whose stock is known, and inventory turns (cost of goods sold over the average stock at cost; in
    units where no cost is known), for the period and annualised so periods of any length compare."""
    costed = totals["costed_revenue"]
    margin = round(costed - totals["cost"], 2) if costed else None
    if totals["stock_value"] and totals["cost"]:
        turns = totals["cost"] / (totals["stock_value"] / days)
    elif totals["on_hand_units"]:
        turns = units / (totals["on_hand_units"] / days)
    else:
        turns = None
    return {
        "gross_margin": margin,
        "margin_rate": round(margin / costed, 4) if margin is not None else None,
        "stockout_rate": round(totals["stockout_days"] / totals["stock_known_days"], 4) if totals["stock_known_days"] else None,
        "inventory_turns": round(turns, 3) if turns is not None else None,
        "inventory_turns_annualised": round(turns * 365 / days, 2) if turns is not None and days else None,
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

    def catalog(self, tenant_id: str) -> dict[str, Any]:
        return self._kept(tenant_id, "catalog", [], lambda: compute_catalog(self._engine, tenant_id))

    def kpis(self, tenant_id: str, q: KpiQuery) -> dict[str, Any]:
        return self._kept(tenant_id, "kpis", [q.model_dump(mode="json")], lambda: compute_kpis(self._engine, tenant_id, q))

    def _kept(self, tenant_id: str, kind: str, key: list[Any], compute: Any) -> dict[str, Any]:
        try:
            report = remembered(self._recent, ("data version", tenant_id),
                                lambda: self._objects.read_if_exists(self._bucket, latest_run_key(tenant_id))) if self._cache else None
        except ServiceUnavailable:
            report = None
        if report is None:  # no curated data yet, no cache, or its version unreadable: answer from the data
            return compute()
        version = json.loads(report).get("run_id", "")
        return kept(self._cache, tenant_id, kind, [version, *key], compute, CACHE_SECONDS)
