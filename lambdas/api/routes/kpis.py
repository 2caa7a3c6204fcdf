"""GET /kpis: revenue, units, average selling price, promo share and stockout days."""

from datetime import date

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from smartretail.auth import ALL_GROUPS
from smartretail.errors import invalid_request
from smartretail.kpis import KpiQuery

router = APIRouter()


@router.get("/kpis")
def get_kpis(
    request: Request,
    start: date = Query(description="first day, YYYY-MM-DD"),
    end: date = Query(description="last day, YYYY-MM-DD"),
    store_id: str | None = Query(default=None),
    category: str | None = Query(default=None),
    sku_id: str | None = Query(default=None),
) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    try:
        query = KpiQuery(start=start, end=end, store_id=store_id, category=category, sku_id=sku_id)
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from None
    return request.app.state.services.kpis.kpis(principal.tenant_id, query)


@router.get("/catalog")
def catalog(request: Request) -> dict:
    """The stores, categories and SKUs with data, for pickers."""
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.kpis.catalog(principal.tenant_id)
