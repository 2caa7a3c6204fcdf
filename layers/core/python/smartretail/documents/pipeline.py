"""The document pipeline's steps, each a Task of statemachines/document_pipeline.asl.json run by the
document processor Lambda: read (Textract, answer kept in S3), extract and validate (result in the
documents table and in S3), index it for the copilot, alert on a failure, and mark a document that
could not be read as needs_review with the reason. Standard library and pydantic only."""

import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ..lake import check_id
from ..ports import ComplianceAlerts, DocumentReader, ObjectStore, SearchIndex
from ..search.documents import document_chunks
from .extraction import EXTRACTORS
from .rules import validate
from .service import DocumentService, result_key
from .textract import lines_from_blocks


class PipelineStep(BaseModel):
    """What a Task state of the definition sends: {"step": "read", "bucket", "key", "object"} (the S3
    event's object: its `version-id` tells a retry from a duplicate) | {"step": "extract" | "index" |
    "alert", "tenant_id", "doc_id"} | {"step": "unreadable", "key", "error", "cause"}."""

    step: Literal["read", "extract", "index", "alert", "unreadable"]
    bucket: str | None = None
    key: str | None = None
    s3_object: dict[str, Any] = Field(default_factory=dict, alias="object")
    tenant_id: str | None = None
    doc_id: str | None = None
    error: str = ""
    cause: str = ""

    @field_validator("tenant_id", "doc_id")
    @classmethod
    def _safe(cls, value: str | None, info) -> str | None:
        return check_id(value, info.field_name) if value is not None else None


class DocumentPipeline:
    def __init__(self, documents: DocumentService, store: ObjectStore, reader: DocumentReader, bucket: str,
                 alerts: ComplianceAlerts | None = None, search: SearchIndex | None = None):
        self._documents = documents
        self._search = search
        self._store = store
        self._reader = reader
        self._bucket = bucket
        self._alerts = alerts

    def run(self, request: PipelineStep) -> dict[str, Any]:
        """One step; errors propagate with their type (DocumentUnreadable, Textract's throttling) for
        the state machine's Retry and Catch."""
        if request.step == "read":
            return self.read(request.bucket or self._bucket, request.key, request.s3_object.get("version-id"))
        if request.step == "unreadable":
            return self.unreadable(request.key, request.error, request.cause, request.s3_object.get("version-id"))
        if not (request.tenant_id and request.doc_id):
            raise ValueError(f"the {request.step} step needs tenant_id and doc_id")
        step = {"extract": self.extract, "index": self.index, "alert": self.alert}[request.step]
        return step(request.tenant_id, request.doc_id)

    def read(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        """Read the document once: an event for a document already read (a duplicate event, or the
        file posted again after its result or a manager's review) is answered `skipped` with why,
        and the state machine ends there, so no result is ever replaced."""
        tenant, record = self._documents.record_for_key(key)
        record, skipped = self._documents.claim(tenant, record, version_id)
        if skipped:
            return {"tenant_id": tenant, "doc_id": record["doc_id"], "doc_type": record["doc_type"], "pages": 0, "skipped": skipped}
        if record["doc_type"] == "gst_certificate":
            response = self._reader.analyze_document(bucket, key, version_id)
        else:
            response = self._reader.analyze_expense(bucket, key, version_id)
        self._store.put_bytes(self._bucket, result_key(tenant, record["doc_id"], "textract.json"), json.dumps(response).encode())
        return {"tenant_id": tenant, "doc_id": record["doc_id"], "doc_type": record["doc_type"],
                "pages": int(response.get("DocumentMetadata", {}).get("Pages", 1)), "skipped": None}

    def extract(self, tenant_id: str, doc_id: str, today: date | None = None) -> dict[str, Any]:
        record = self._record(tenant_id, doc_id)
        with self._store.open_read(self._bucket, result_key(tenant_id, doc_id, "textract.json")) as body:
            response = json.loads(body.read())
        extracted = EXTRACTORS[record["doc_type"]](response)
        result = validate(extracted, today or date.today(),
                          lambda keys: self._documents.earlier_duplicate(tenant_id, doc_id, keys))
        outcome = {**{k: v for k, v in extracted.items() if k != "text"}, **result}
        self._store.put_bytes(self._bucket, result_key(tenant_id, doc_id, "result.json"),
                              json.dumps({"doc_id": doc_id, **outcome}).encode())
        self._documents.mark(tenant_id, record, **outcome)
        return {"tenant_id": tenant_id, "doc_id": doc_id, "doc_type": record["doc_type"], "status": result["status"],
                "reasons": result["reasons"]}

    def index(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        """The document's fields, checks and text into the copilot's search, replacing an earlier
        indexing of it (a retried step indexes the same chunks again)."""
        if self._search is None:
            raise RuntimeError("the document processor has no search index configured")
        record = self._record(tenant_id, doc_id)
        with self._store.open_read(self._bucket, result_key(tenant_id, doc_id, "result.json")) as body:
            result = json.loads(body.read())
        with self._store.open_read(self._bucket, result_key(tenant_id, doc_id, "textract.json")) as body:
            response = json.loads(body.read())
        blocks = (response.get("ExpenseDocuments") or [{}])[0].get("Blocks") or response.get("Blocks", [])
        text = "\n".join(line.text for line in lines_from_blocks({"Blocks": blocks}))
        chunks = document_chunks(tenant_id, record, result, text)
        self._search.upsert(chunks)
        return {"tenant_id": tenant_id, "doc_id": doc_id, "chunks": len(chunks)}

    def alert(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        record = self._record(tenant_id, doc_id)
        alert = self._alerts.document_failed(tenant_id, doc_id, record["doc_type"], record.get("reasons", []))
        return {"alert_id": alert["alert_id"]}

    def unreadable(self, key: str, error: str, cause: str, version_id: str | None = None) -> dict[str, Any]:
        """The Catch of every step: the document ends as needs_review with the reason, never lost; but
        a result (or a review) stands, and so does another upload's claim on the document."""
        tenant, record = self._documents.record_for_key(key)
        reason = _reason(error, cause)
        claimed_by_another = record["status"] == "processing" and version_id and record.get("object_version") not in (None, version_id)
        if record["status"] not in ("awaiting_upload", "processing") or claimed_by_another:
            return {"tenant_id": tenant, "doc_id": record["doc_id"], "status": record["status"], "reasons": record.get("reasons", [])}
        self._documents.mark(tenant, record, status="needs_review", reasons=[reason])
        return {"tenant_id": tenant, "doc_id": record["doc_id"], "status": "needs_review", "reasons": [reason]}

    def _record(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        record = self._documents.record(tenant_id, doc_id)
        if record is None:
            raise LookupError(f"no document {doc_id} of tenant {tenant_id}")
        return record


def _reason(error: str, cause: str) -> str:
    """A person's reason from a Step Functions error: Lambda's JSON cause carries the message."""
    try:
        message = json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        message = cause
    if error == "DocumentUnreadable":
        return f"the file could not be read: {message}"
    if error == "ServiceUnavailable":  # retried by the state machine until its attempts ran out
        return (f"reading the document failed for a while ({message}); the file is kept: ask for a manual review "
                "or upload it again later")
    return f"the document could not be processed ({error}): {message}; upload it as a new document or ask for a manual review"
