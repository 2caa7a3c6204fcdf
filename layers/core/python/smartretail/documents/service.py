"""Documents: upload slots for the API, the document pipeline's steps, and what users see and correct.

A document's life: `awaiting_upload` (a presigned POST handed out) -> `processing` (the object landed
and the pipeline reads it) -> `pass` | `fail` | `needs_review`, with the reasons, the rule version and
every field's confidence. A manager may correct fields and resolve a document (`reviewed_pass` or
`reviewed_fail`); that is audited. What the user uploaded is never rewritten: the pipeline writes the
reading and the result beside it.

Standard library and pydantic only: this runs in Lambda functions.
"""

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..auth import Principal
from ..errors import Conflict, InvalidRequest, NotFound
from ..lake import check_id, content_type_for, safe_file_name
from ..ports import ItemStore, ObjectStore
from ..spreadsheet import csv_text
from .rules import validate

DOCUMENT = "doc#"
IDEMPOTENCY = "idem#"
DUPLICATE = "dup#"
DOCS_PREFIX = "docs"
RESULTS_PREFIX = "results"
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
FINAL = ("pass", "fail", "needs_review", "reviewed_pass", "reviewed_fail")
STALE_CLAIM_SECONDS = 45 * 60  # longer than the document state machine's timeout (30 minutes)
DocType = Literal["invoice", "gst_certificate", "receipt"]


class UploadDocumentRequest(BaseModel):
    doc_type: DocType
    file_name: str = Field(min_length=1, max_length=255, description="e.g. invoice-0042.pdf")
    content_type: str | None = Field(default=None, max_length=100)


FILE_LINK_SECONDS = 300


class ReviewRequest(BaseModel):
    corrections: dict[str, str | float | None] = Field(default_factory=dict, description="field -> corrected value")
    resolution: Literal["pass", "fail"]
    note: str = Field(min_length=1, max_length=1000, description="why: what the reviewer checked")


def document_key(tenant_id: str, doc_id: str, file_name: str) -> str:
    return f"{DOCS_PREFIX}/{tenant_id}/{doc_id}/{safe_file_name(file_name)}"


def parse_document_key(key: str) -> tuple[str, str] | None:
    """(tenant_id, doc_id) of an uploaded document's key, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != DOCS_PREFIX:
        return None
    return parts[1], parts[2]


def result_key(tenant_id: str, doc_id: str, name: str) -> str:
    return f"{RESULTS_PREFIX}/{tenant_id}/{doc_id}/{name}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _older_than(stamp: str | None, seconds: float) -> bool:
    return stamp is None or (datetime.now(timezone.utc) - datetime.fromisoformat(stamp)).total_seconds() > seconds


class DocumentService:
    def __init__(self, store: ObjectStore, items: ItemStore, bucket: str, audit: Any = None, *,
                 max_bytes: int | None = None, url_ttl_seconds: int | None = None):
        """The upload limits are the API's to set; the document pipeline only records results."""
        self._store = store
        self._items = items
        self._bucket = bucket
        self._max_bytes = max_bytes
        self._ttl = url_ttl_seconds
        self._audit = audit

    # -- the API side -------------------------------------------------------------------------
    def create_upload(self, principal: Principal, request: UploadDocumentRequest, idempotency_key: str | None) -> dict[str, Any]:
        if self._max_bytes is None or self._ttl is None:
            raise RuntimeError("this DocumentService was built without upload limits (max_bytes, url_ttl_seconds)")
        tenant = principal.tenant_id
        content_type = content_type_for(request.file_name, request.content_type, CONTENT_TYPES, "a PDF, or a JPEG or PNG scan or photo")
        if idempotency_key is not None:
            idempotency_key = idempotency_key.strip()
            if not 1 <= len(idempotency_key) <= 128:
                raise InvalidRequest("Idempotency-Key must be 1-128 characters", field="Idempotency-Key")
            marker = self._items.get(tenant, IDEMPOTENCY + idempotency_key)
            if marker:
                record = self._items.get(tenant, DOCUMENT + marker["doc_id"])
                if (record["doc_type"], record["file_name"]) != (request.doc_type, safe_file_name(request.file_name)):
                    raise Conflict("this Idempotency-Key was already used for another document; use a new key", field="Idempotency-Key")
                if record["status"] != "awaiting_upload":
                    # The file landed: a new upload URL would let it be replaced (and read again over a review).
                    return {**_summary(record), "upload": None,
                            "message": f"document {record['doc_id']} was already uploaded ({record['status']}); "
                                       "to send another file, use a new Idempotency-Key"}
                return self._slot(tenant, record)
        doc_id = "doc-" + uuid.uuid4().hex[:20]
        record = {"doc_id": doc_id, "doc_type": request.doc_type, "file_name": safe_file_name(request.file_name),
                  "content_type": content_type, "key": document_key(tenant, doc_id, request.file_name),
                  "status": "awaiting_upload", "created_at": _now(), "created_by": principal.user_id}
        if idempotency_key is not None:
            try:
                self._items.put(tenant, IDEMPOTENCY + idempotency_key, {"doc_id": doc_id}, if_absent=True)
            except Conflict:  # the same key raced in: answer with the document it made
                return self.create_upload(principal, request, idempotency_key)
        self._items.put(tenant, DOCUMENT + doc_id, record, if_absent=True)
        return self._slot(tenant, record)

    def _slot(self, tenant_id: str, record: dict[str, Any]) -> dict[str, Any]:
        key = document_key(tenant_id, record["doc_id"], record["file_name"])
        post = self._store.presigned_post(self._bucket, key, record["content_type"], self._max_bytes, self._ttl)
        return {"doc_id": record["doc_id"], "doc_type": record["doc_type"], "status": record["status"],
                "upload": {"url": post["url"], "fields": post["fields"], "method": "POST"},
                "content_type": record["content_type"], "max_bytes": self._max_bytes, "expires_in_seconds": self._ttl}

    def list(self, tenant_id: str, status: str | None = None, doc_type: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        found = [d for d in self._items.query(tenant_id, DOCUMENT)
                 if (status is None or d["status"] == status) and (doc_type is None or d["doc_type"] == doc_type)]
        found.sort(key=lambda d: d["created_at"], reverse=True)
        return [_summary(d) for d in found[:limit]]

    def get(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        check_id(doc_id, "doc_id")
        record = self._items.get(tenant_id, DOCUMENT + doc_id)
        if record is None:  # another tenant's document is simply not found
            raise NotFound(f"document {doc_id} not found", field="doc_id")
        return _public(record)

    def file(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        """A short-lived link to the file as uploaded, so a reviewer sees the page each field was read
        from; the tenant's own documents only (another tenant's is not found)."""
        record = self.get(tenant_id, doc_id)
        if record["status"] == "awaiting_upload":
            raise Conflict(f"document {doc_id} has not been uploaded yet")
        key = document_key(tenant_id, doc_id, record["file_name"])
        return {"doc_id": doc_id, "file_name": record["file_name"], "content_type": record["content_type"],
                "url": self._store.presigned_get(self._bucket, key, FILE_LINK_SECONDS), "expires_in_seconds": FILE_LINK_SECONDS}

    def export(self, tenant_id: str, doc_id: str, format: str) -> tuple[str, str]:
        """(body, media type): the structured result as JSON, or as CSV rows (field, value, confidence)."""
        record = self.get(tenant_id, doc_id)
        if record["status"] not in FINAL:
            raise Conflict(f"document {doc_id} is {record['status']}: there is nothing to export yet")
        if format == "json":
            return json.dumps(record, indent=2), "application/json"
        # Values come from the uploaded document: a cell a spreadsheet would run as a formula is escaped.
        rows = [["document", "status", record["status"], record.get("confidence", ""), "; ".join(record.get("reasons", []))]]
        rows += [["field", name, found.get("value"), found.get("confidence"), found.get("text", "")]
                 for name, found in sorted(record.get("fields", {}).items())]
        rows += [["tax", tax["type"], tax["amount"], tax.get("confidence", ""), f"{tax['rate']:g}%"] for tax in record.get("taxes", [])]
        rows += [["line_item", item.get("description"), item.get("amount"), item.get("confidence", ""),
                  f"{item.get('quantity')} x {item.get('unit_price')}"] for item in record.get("line_items", [])]
        rows += [["rule", rule["rule"], "passed" if rule["passed"] else "failed", "", rule.get("reason", "")]
                 for rule in record.get("rules", [])]
        return csv_text(["section", "name", "value", "confidence", "detail"], rows), "text/csv"

    def review(self, principal: Principal, doc_id: str, request: ReviewRequest, today: date | None = None) -> dict[str, Any]:
        """A manager's corrections, the rules re-run on them, and the manager's resolution; audited."""
        record = self._items.get(principal.tenant_id, DOCUMENT + doc_id)
        if record is None:
            raise NotFound(f"document {doc_id} not found", field="doc_id")
        if record["status"] not in FINAL:
            raise Conflict(f"document {doc_id} is {record['status']}: it can be reviewed once it has been read")
        before = _public(record)
        fields = dict(record.get("fields", {}))
        for name, value in request.corrections.items():
            fields[name] = {"value": value, "confidence": 1.0, "text": "corrected by a reviewer", "box": None, "page": None}
        document = {k: record.get(k) for k in ("doc_type", "taxes", "line_items") if record.get(k) is not None}
        rechecked = validate({**document, "fields": fields, "reading_confidence": 1.0}, today or date.today())
        updated = {**_stored(record), "fields": fields, "rules": rechecked["rules"], "reasons": rechecked["reasons"],
                   "rule_version": rechecked["rule_version"], "status": f"reviewed_{request.resolution}",
                   "checked_status": rechecked["status"], "reviewed_by": principal.user_id, "reviewed_at": _now(),
                   "review_note": request.note}
        stored = self._items.put(principal.tenant_id, DOCUMENT + doc_id, updated, if_version=record["version"])
        if self._audit is not None:
            self._audit.record(principal, "document.reviewed", doc_id, before=before, after=_public(stored))
        return _public(stored)

    # -- the pipeline side ----------------------------------------------------------------------
    def record_for_key(self, key: str) -> tuple[str, dict[str, Any]]:
        parsed = parse_document_key(key)
        if parsed is None:
            raise InvalidRequest(f"{key} is not an uploaded document's key")
        tenant, doc_id = parsed
        record = self._items.get(tenant, DOCUMENT + doc_id)
        if record is None:
            raise NotFound(f"no document record for {key}")
        return tenant, record

    def record(self, tenant_id: str, doc_id: str) -> dict[str, Any] | None:
        """The stored record as the pipeline works on it (with its version)."""
        return self._items.get(tenant_id, DOCUMENT + doc_id)

    def claim(self, tenant_id: str, record: dict[str, Any], version_id: str | None) -> tuple[dict[str, Any], str | None]:
        """Whether an S3 event may read this document: (the record, None) when it may, (the record,
        why not) when the document was read already or another event claimed it. `version_id` is the
        uploaded object's version: the same version again is a retry of this event's own read."""
        doc_id, status = record["doc_id"], record["status"]
        if status == "awaiting_upload":
            try:
                return self.mark(tenant_id, record, status="processing", object_version=version_id), None
            except Conflict:
                record = self._items.get(tenant_id, DOCUMENT + doc_id)
                return record, f"document {doc_id} was claimed by another event for the same upload"
        if status == "processing" and record.get("object_version") == version_id:
            return record, None  # a retry of this upload's read (a duplicate event in flight reads it again, harmlessly)
        if status == "processing" and _older_than(record.get("updated_at"), STALE_CLAIM_SECONDS):
            # The execution that claimed it ended without a word (timed out, aborted): this one takes over.
            return self.mark(tenant_id, record, status="processing", object_version=version_id), None
        if status == "processing":
            return record, f"document {doc_id} is being read from another upload of the file; this one is ignored"
        return record, (f"document {doc_id} was read already ({status}): this event (a duplicate, or the file posted "
                        "again) is ignored and the result stands")

    def mark(self, tenant_id: str, record: dict[str, Any], **changes: Any) -> dict[str, Any]:
        updated = {**_stored(record), **changes, "updated_at": _now()}
        return self._items.put(tenant_id, DOCUMENT + record["doc_id"], updated, if_version=record["version"])

    def earlier_duplicate(self, tenant_id: str, doc_id: str, keys: dict[str, Any]) -> str | None:
        """The document that first claimed these keys (vendor GSTIN + invoice number), if not this one."""
        marker = DUPLICATE + "#".join(str(keys[k]).upper() for k in sorted(keys))
        try:
            self._items.put(tenant_id, marker, {"doc_id": doc_id}, if_absent=True)
            return None
        except Conflict:
            first = self._items.get(tenant_id, marker)["doc_id"]
            return None if first == doc_id else first


def _stored(record: dict[str, Any]) -> dict[str, Any]:
    """The record as it is written back: everything but the store's own bookkeeping."""
    return {k: v for k, v in record.items() if k not in ("item_key", "version")}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("item_key", "version", "key", "object_version")}


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    keep = ("doc_id", "doc_type", "file_name", "status", "created_at", "updated_at", "confidence", "reasons", "rule_version")
    return {k: record.get(k) for k in keep if k in record}

