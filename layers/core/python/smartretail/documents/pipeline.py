"""The document pipeline's steps, each a Task of statemachines/document_pipeline.asl.json run by the
document processor Lambda: read (Textract, answer kept in S3), extract and validate (result in the
documents table and in S3), alert on a failure, and mark a document that could not be read as
needs_review with the reason. Standard library only."""

import json
from datetime import date
from typing import Any

from ..ports import DocumentReader, ObjectStore
from .extraction import EXTRACTORS
from .rules import validate
from .service import DocumentService, result_key


class DocumentPipeline:
    def __init__(self, documents: DocumentService, store: ObjectStore, reader: DocumentReader, bucket: str, alerts: Any = None):
        self._documents = documents
        self._store = store
        self._reader = reader
        self._bucket = bucket
        self._alerts = alerts

    def read(self, bucket: str, key: str) -> dict[str, Any]:
        tenant, record = self._documents.record_for_key(key)
        record = self._documents.mark(tenant, record, status="processing")
        if record["doc_type"] == "gst_certificate":
            response = self._reader.analyze_document(bucket, key)
        else:
            response = self._reader.analyze_expense(bucket, key)
        self._store.put_bytes(self._bucket, result_key(tenant, record["doc_id"], "textract.json"), json.dumps(response).encode())
        return {"tenant_id": tenant, "doc_id": record["doc_id"], "doc_type": record["doc_type"],
                "pages": int(response.get("DocumentMetadata", {}).get("Pages", 1))}

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

    def alert(self, tenant_id: str, doc_id: str) -> dict[str, Any]:
        from ..decisions.alerts import compliance_failure

        record = self._record(tenant_id, doc_id)
        alert = compliance_failure(self._alerts, tenant_id, doc_id, record["doc_type"], record.get("reasons", []))
        return {"alert_id": alert["alert_id"]}

    def unreadable(self, key: str, error: str, cause: str) -> dict[str, Any]:
        """The Catch of every step: the document ends as needs_review with the reason, never lost."""
        tenant, record = self._documents.record_for_key(key)
        reason = _reason(error, cause)
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
    return f"the document could not be processed ({error}): {message}; upload it again or ask for a manual review"
