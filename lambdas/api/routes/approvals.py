"""The approval workflow: proposals of price changes and reorders, their transitions, the payload an
applied one produces, and the audit log (admins)."""

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from smartretail.auth import ADMINS, ALL_GROUPS
from smartretail.approvals import DecisionNote, ProposalRequest

router = APIRouter()


@router.post("/proposals", status_code=201)
def propose(body: ProposalRequest, request: Request, idempotency_key: str | None = Header(default=None, max_length=128)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.proposals.create(principal, body, idempotency_key)


@router.get("/proposals")
def proposals(request: Request, status: str | None = Query(default=None, pattern="^(proposed|approved|rejected|applied|expired)$"),
              limit: int = Query(default=100, ge=1, le=500)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"proposals": request.app.state.services.proposals.list(principal, status, limit)}


@router.get("/proposals/{proposal_id}")
def proposal(proposal_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.proposals.get(principal, proposal_id)


@router.post("/proposals/{proposal_id}/approve")
def approve(proposal_id: str, request: Request, body: DecisionNote | None = None) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.proposals.approve(principal, proposal_id, body.note if body else None)


@router.post("/proposals/{proposal_id}/reject")
def reject(proposal_id: str, request: Request, body: DecisionNote | None = None) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.proposals.reject(principal, proposal_id, body.note if body else None)


@router.post("/proposals/{proposal_id}/apply")
def apply(proposal_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.proposals.apply(principal, proposal_id)


@router.get("/proposals/{proposal_id}/payload",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}},
                             "description": "what the shop or purchasing system takes, as CSV or JSON"}})
def payload(proposal_id: str, request: Request, format: str = Query(default="csv", pattern="^(csv|json)$")) -> Response:
    principal = request.state.principal.require_any(ALL_GROUPS)
    service = request.app.state.services.proposals
    if format == "json":
        import json

        return Response(content=json.dumps(service.get(principal, proposal_id).get("payload")), media_type="application/json")
    return Response(content=service.payload_csv(principal, proposal_id), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{proposal_id}.csv"'})


@router.get("/audit")
def audit(request: Request, entity: str | None = Query(default=None, max_length=128),
          limit: int = Query(default=100, ge=1, le=1000)) -> dict:
    principal = request.state.principal.require_any((ADMINS,))
    return {"entries": request.app.state.services.audit.entries(principal.tenant_id, limit, entity)}
