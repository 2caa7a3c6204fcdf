"""The storefront's routes, for marketplace back ends signed in as machine clients (Cognito's
client-credentials grant): recommendations, similar and bought-together items, product search, and
shopper events in. The tenant is the one the client is registered to; each route needs its scope."""

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request

from smartretail import rest
from smartretail.auth import STOREFRONT_EVENTS, STOREFRONT_READ
from smartretail.storefront.events import EventBatch, record_events

router = APIRouter()
UserId = Annotated[str, Query(min_length=1, max_length=128, description="the shopper's id in the storefront")]
K = Annotated[int, Query(ge=1, le=100, description="how many items")]
Region = Annotated[str | None, Query(max_length=64, description="the shopper's store or region, for popularity")]


def _read(request: Request) -> Any:
    return request.state.principal.require_scope(STOREFRONT_READ)


@router.get("/storefront/recommendations")
def recommendations(request: Request, user_id: UserId, k: K = 20, region: Region = None,
                    recent: Annotated[str | None, Query(max_length=2000, description=(
                        "a shopper the storefront has no history for yet: their latest interactions as "
                        "item_id:event_type pairs, comma-separated (event_type view, add_to_cart or purchase)"))] = None) -> dict:
    principal = _read(request)
    return request.app.state.services.storefront.recommendations(principal.tenant_id, user_id, k, region, _interactions(recent))


@router.get("/storefront/items/{item_id}/similar")
def similar(item_id: str, request: Request, k: K = 20) -> dict:
    return request.app.state.services.storefront.similar(_read(request).tenant_id, item_id, k)


@router.get("/storefront/items/{item_id}/bought-together")
def bought_together(item_id: str, request: Request, k: K = 10) -> dict:
    return request.app.state.services.storefront.bought_together(_read(request).tenant_id, item_id, k)


@router.get("/storefront/search")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=200, description="what the shopper typed")],
           category: Annotated[list[str] | None, Query(max_length=20)] = None,
           brand: Annotated[list[str] | None, Query(max_length=20)] = None,
           price_min: Annotated[float | None, Query(ge=0)] = None, price_max: Annotated[float | None, Query(ge=0)] = None,
           in_stock: bool = False, page: Annotated[int, Query(ge=1, le=50)] = 1,
           page_size: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    principal = _read(request)
    filters = {"category": category, "brand": brand, "price_min": price_min, "price_max": price_max, "in_stock": in_stock}
    chosen = {k: v for k, v in filters.items() if v is not None and v is not False}
    return request.app.state.services.storefront.search(principal.tenant_id, q, chosen, page, page_size)


@router.post("/storefront/events")
def events(batch: EventBatch, request: Request) -> dict:
    principal = request.state.principal.require_scope(STOREFRONT_EVENTS)
    return record_events(request.app.state.services.events, principal.tenant_id, batch)


def _interactions(recent: str | None) -> list[tuple[str, str]] | None:
    from smartretail.errors import InvalidRequest

    if not recent:
        return None
    pairs = []
    for part in recent.split(","):
        item, _, event = part.strip().rpartition(":")
        if not item or event not in ("view", "add_to_cart", "purchase"):
            raise InvalidRequest(f"recent: {part.strip()!r} is not item_id:event_type (view, add_to_cart or purchase)", field="recent")
        pairs.append((item, event))
    return pairs


def route_table() -> list[tuple[str, str]]:
    return rest.route_table([router])


def create_app(services: Any, logger: Any = None) -> FastAPI:
    """Each client's requests are counted on their own (services.throttle)."""
    return rest.secured_app("SmartRetail storefront", services, [router], logger, throttle_key=rest.user_key, methods=("GET", "POST"))
