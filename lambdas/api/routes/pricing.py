"""The pricing and inventory routes: price suggestions, what-if simulations, ranked reorder and price
recommendations, and the tenant's decision policy (guardrails and thresholds)."""

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS
from smartretail.errors import invalid_request
from smartretail.pricing.service import PricingSuggestRequest, RecommendationsRequest, ReorderPlansRequest, SimulateRequest
from smartretail.tenant_policy import TenantPolicy

router = APIRouter()


@router.post("/pricing-suggest")
def pricing_suggest(body: PricingSuggestRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.pricing.suggest(principal.tenant_id, body)


@router.post("/pricing/simulate")
def pricing_simulate(body: SimulateRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.pricing.simulate(principal.tenant_id, body)


@router.post("/recommendations")
def recommendations(body: RecommendationsRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.pricing.recommendations(principal.tenant_id, body)


@router.get("/inventory/plans")
def reorder_plans(request: Request, store_id: str = Query(), category: str | None = Query(default=None),
                  due_only: bool = Query(default=False)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    try:
        query = ReorderPlansRequest(store_id=store_id, category=category, due_only=due_only)
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from None
    return request.app.state.services.pricing.reorder_plans(principal.tenant_id, query)


@router.get("/policy")
def get_policy(request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.policies.get(principal.tenant_id).model_dump()


@router.put("/policy")
def put_policy(body: TenantPolicy, request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.policies.set(principal, body)
