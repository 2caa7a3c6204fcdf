"""The /ingest routes: presigned uploads of sellers' data files, their validation status, previews of
how a file will be read, and the reading settings a tenant saves per dataset."""

import base64
import binascii

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from smartretail.auth import ALL_GROUPS, MANAGERS, SELLERS
from smartretail.errors import InvalidRequest
from smartretail.ingestion.uploads import PREVIEW_MAX_BYTES, public_view
from smartretail.models import ReadingOptions

router = APIRouter()

# Sellers and managers bring data in; admins operate the platform and only read.
UPLOADERS = (SELLERS, MANAGERS)


class IngestRequest(BaseModel):
    file_name: str = Field(min_length=1, max_length=255, description="e.g. sales-2024-06.csv or sales.xlsx")
    content_type: str | None = Field(default=None, max_length=100)
    options: ReadingOptions | None = Field(default=None, description="how to read the file, over the dataset's saved settings")


class PreviewRequest(BaseModel):
    file_name: str = Field(min_length=1, max_length=255)
    content_base64: str = Field(min_length=1, max_length=(PREVIEW_MAX_BYTES * 4) // 3 + 4,
                                description="the file, or its first part (then complete=false), base64-encoded")
    complete: bool = Field(default=True, description="false when content_base64 holds only the file's first part")
    options: ReadingOptions | None = None


@router.post("/ingest/{dataset}", status_code=201)
def create_upload(
    dataset: str,
    body: IngestRequest,
    request: Request,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> dict:
    principal = request.state.principal.require_any(UPLOADERS)
    return request.app.state.services.uploads.create(
        principal.tenant_id, principal.user_id, dataset, body.file_name, body.content_type, idempotency_key, body.options
    )


@router.post("/ingest/{dataset}/preview")
def preview_upload(dataset: str, body: PreviewRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(UPLOADERS)
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("content_base64 is not valid base64", field="content_base64") from None
    return request.app.state.services.uploads.preview(principal.tenant_id, dataset, body.file_name, data, body.complete,
                                                      body.options)


@router.get("/ingest/{dataset}/settings")
def get_reading_settings(dataset: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"dataset": dataset, **request.app.state.services.uploads.saved_options(principal.tenant_id, dataset).model_dump()}


@router.put("/ingest/{dataset}/settings")
def save_reading_settings(dataset: str, body: ReadingOptions, request: Request) -> dict:
    principal = request.state.principal.require_any(UPLOADERS)
    return request.app.state.services.uploads.save_options(principal, dataset, body)


@router.get("/ingest")
def list_uploads(request: Request, limit: int = Query(default=50, ge=1, le=200)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    records = request.app.state.services.uploads.list(principal.tenant_id, limit)
    return {"uploads": [public_view(r) for r in records]}


@router.get("/ingest/{upload_id}")
def get_upload(upload_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return public_view(request.app.state.services.uploads.get(principal.tenant_id, upload_id))
