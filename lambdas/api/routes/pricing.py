"""The pricing and inventory routes: price suggestions, what-if simulations, ranked reorder and price
recommendations, and the tenant's decision policy (guardrails and thresholds)."""

from fastapi import APIRouter, Request

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS
from smartretail.pricing.service import PricingSuggestRequest, RecommendationsRequest, SimulateRequest
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


@router.get("/policy")
def get_policy(request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.policies.get(principal.tenant_id).model_dump()


@router.put("/policy")
def put_policy(body: TenantPolicy, request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.policies.set(principal, body)
