"""The /ingest routes: presigned uploads of sellers' data files and their validation status."""

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from smartretail.auth import ALL_GROUPS, MANAGERS, SELLERS
from smartretail.ingestion.uploads import public_view

router = APIRouter()

# Sellers and managers bring data in; admins operate the platform and only read.
UPLOADERS = (SELLERS, MANAGERS)


class IngestRequest(BaseModel):
    file_name: str = Field(min_length=1, max_length=255, description="e.g. sales-2024-06.csv")
    content_type: str | None = Field(default=None, max_length=100)


@router.post("/ingest/{dataset}", status_code=201)
def create_upload(
    dataset: str,
    body: IngestRequest,
    request: Request,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> dict:
    principal = request.state.principal.require_any(UPLOADERS)
    return request.app.state.services.uploads.create(
        principal.tenant_id, principal.user_id, dataset, body.file_name, body.content_type, idempotency_key
    )


@router.get("/ingest")
def list_uploads(request: Request, limit: int = Query(default=50, ge=1, le=200)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    records = request.app.state.services.uploads.list(principal.tenant_id, limit)
    return {"uploads": [public_view(r) for r in records]}


@router.get("/ingest/{upload_id}")
def get_upload(upload_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return public_view(request.app.state.services.uploads.get(principal.tenant_id, upload_id))
