"""Storefront back ends' machine clients (admins): register one for the tenant (its secret is shown
once), list them, revoke one; and the storefront's rules (managers and admins: banned sellers). Each
change is audited."""

from fastapi import APIRouter, Request

from smartretail.auth import ADMINS, MANAGERS
from smartretail.errors import ServiceUnavailable
from smartretail.storefront.clients import NewClient
from smartretail.storefront.rules import StorefrontRules

router = APIRouter()


def _clients(request: Request):
    clients = request.app.state.services.storefront_clients
    if clients is None:
        raise ServiceUnavailable("the storefront is not deployed in this stage", retry_after_seconds=3600)
    return clients


@router.post("/admin/storefront-clients", status_code=201)
def register(body: NewClient, request: Request) -> dict:
    principal = request.state.principal.require_any((ADMINS,))
    created = _clients(request).register(principal.tenant_id, principal.user_id, body)
    request.app.state.services.audit.record(principal, "storefront_client.register", created["client_id"],
                                            after={"name": body.name, "scopes": body.scopes})
    return created


@router.get("/admin/storefront-clients")
def list_clients(request: Request) -> dict:
    principal = request.state.principal.require_any((ADMINS,))
    return {"clients": _clients(request).list(principal.tenant_id)}


@router.delete("/admin/storefront-clients/{client_id}")
def revoke(client_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any((ADMINS,))
    revoked = _clients(request).revoke(principal.tenant_id, client_id)
    request.app.state.services.audit.record(principal, "storefront_client.revoke", client_id)
    return revoked


@router.get("/admin/storefront-rules")
def get_rules(request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return _rules(request).get(principal.tenant_id).model_dump()


@router.put("/admin/storefront-rules")
def put_rules(body: StorefrontRules, request: Request) -> dict:
    """Sellers whose items storefront lists and searches never show (within a minute)."""
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return _rules(request).put(principal, body).model_dump()


def _rules(request: Request):
    rules = request.app.state.services.storefront_rules
    if rules is None:
        raise ServiceUnavailable("the storefront is not deployed in this stage", retry_after_seconds=3600)
    return rules
