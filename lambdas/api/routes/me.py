"""GET /me: who the API thinks you are (handy to check a token)."""

from fastapi import APIRouter, Request

from smartretail.auth import ALL_GROUPS

router = APIRouter()


@router.get("/me")
def me(request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"user_id": principal.user_id, "tenant_id": principal.tenant_id, "groups": sorted(principal.groups)}
