"""The copilot's routes, served by their own function (the retrieval index and the model calls stay
out of the API function's cold start) on the shared REST plumbing (smartretail.rest)."""

from typing import Any

from fastapi import APIRouter, FastAPI, Request

from smartretail import rest
from smartretail.auth import ALL_GROUPS
from smartretail.copilot.service import ChatRequest

router = APIRouter()


@router.post("/copilot/chat")
def chat(body: ChatRequest, request: Request) -> dict:
    return request.app.state.services.copilot.chat(request.state.principal, body)


@router.get("/copilot/conversations")
def conversations(request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"conversations": request.app.state.services.copilot.conversations.list(principal.tenant_id, principal.user_id)}


@router.get("/copilot/conversations/{conversation_id}")
def conversation(conversation_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.copilot.conversations.get(principal.tenant_id, principal.user_id, conversation_id)


@router.delete("/copilot/conversations/{conversation_id}")
def delete_conversation(conversation_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"deleted": request.app.state.services.copilot.conversations.delete(principal.tenant_id, principal.user_id, conversation_id)}


@router.delete("/copilot/conversations")
def delete_conversations(request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"deleted": request.app.state.services.copilot.conversations.delete(principal.tenant_id, principal.user_id)}


def route_table() -> list[tuple[str, str]]:
    return rest.route_table([router])


def create_app(services: Any, logger: Any = None) -> FastAPI:
    """Each user's questions are counted on their own (services.throttle), far under the tenant's share."""
    return rest.secured_app("SmartRetail copilot", services, [router], logger, throttle_key=rest.user_key,
                            methods=("GET", "POST", "DELETE"))
