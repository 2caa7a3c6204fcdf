"""The documents routes: presigned uploads of invoices, certificates and receipts; their results;
export; a manager's review."""

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS, SELLERS
from smartretail.documents.service import ReviewRequest, UploadDocumentRequest

router = APIRouter()


@router.post("/upload-document", status_code=201)
def upload_document(body: UploadDocumentRequest, request: Request,
                    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")) -> dict:
    principal = request.state.principal.require_any((SELLERS, MANAGERS))
    return request.app.state.services.documents.create_upload(principal, body, idempotency_key)


@router.get("/documents")
def documents(request: Request,
              status: str | None = Query(default=None, pattern="^(awaiting_upload|processing|pass|fail|needs_review|reviewed_pass|reviewed_fail)$"),
              doc_type: str | None = Query(default=None, pattern="^(invoice|gst_certificate|receipt)$"),
              limit: int = Query(default=100, ge=1, le=500)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return {"documents": request.app.state.services.documents.list(principal.tenant_id, status, doc_type, limit)}


@router.get("/documents/{doc_id}")
def document(doc_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.documents.get(principal.tenant_id, doc_id)


@router.get("/documents/{doc_id}/file")
def document_file(doc_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.documents.file(principal.tenant_id, doc_id)


@router.get("/documents/{doc_id}/export",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}},
                             "description": "the document's fields and checks as CSV or JSON"}})
def export(doc_id: str, request: Request, format: str = Query(default="json", pattern="^(json|csv)$")) -> Response:
    principal = request.state.principal.require_any(ALL_GROUPS)
    body, media_type = request.app.state.services.documents.export(principal.tenant_id, doc_id, format)
    return Response(content=body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{doc_id}.{format}"'})


@router.post("/documents/{doc_id}/review")
def review(doc_id: str, body: ReviewRequest, request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.documents.review(principal, doc_id, body)
