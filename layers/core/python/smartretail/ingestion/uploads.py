"""Handing out upload slots and reporting on them (the API side of ingestion)."""

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any

from ..contracts import CONTRACTS
from ..errors import Conflict, InvalidRequest, NotFound
from ..lake import check_id, content_type_for, raw_key, safe_file_name
from ..models import UploadRecord, UploadStatus
from ..ports import ObjectStore, UploadRepository

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
}


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    url_ttl_seconds: int


def new_upload_id() -> str:
    """Time-ordered (milliseconds, then randomness): the uploads table's sort key lists newest first."""
    return f"up_{time.time_ns() // 1_000_000:012x}{uuid.uuid4().hex[:20]}"


class UploadService:
    def __init__(self, store: ObjectStore, repo: UploadRepository, raw_bucket: str, limits: UploadLimits):
        self._store = store
        self._repo = repo
        self._bucket = raw_bucket
        self._limits = limits

    def create(
        self,
        tenant_id: str,
        user_id: str,
        dataset: str,
        file_name: str,
        content_type: str | None,
        idempotency_key: str | None,
    ) -> dict[str, Any]:
        if dataset not in CONTRACTS:
            raise NotFound(
                f"unknown dataset {dataset!r}; use one of: {', '.join(sorted(CONTRACTS))}",
                field="dataset",
            )
        if idempotency_key is not None:
            idempotency_key = idempotency_key.strip()
            if not 1 <= len(idempotency_key) <= 128:
                raise InvalidRequest("Idempotency-Key must be 1-128 characters", field="Idempotency-Key")
        resolved_type = content_type_for(file_name, content_type, CONTENT_TYPES, "CSV or JSON Lines")
        fingerprint = hashlib.sha256(f"{dataset}\n{safe_file_name(file_name)}".encode()).hexdigest()
        upload_id = new_upload_id()
        record = self._repo.create(
            UploadRecord(
                tenant_id=tenant_id,
                upload_id=upload_id,
                dataset=dataset,
                file_name=safe_file_name(file_name),
                content_type=resolved_type,
                key=raw_key(tenant_id, dataset, upload_id, file_name),
                created_by=user_id,
                request_fingerprint=fingerprint,
            ),
            idempotency_key,
        )
        if record.request_fingerprint != fingerprint:
            raise Conflict(
                "this Idempotency-Key was already used for a different dataset or file name; "
                "use a new key for a new upload",
                field="Idempotency-Key",
            )
        if record.status is not UploadStatus.AWAITING_UPLOAD:
            # The file landed and was checked: a new upload URL would let it be replaced.
            return {"upload_id": record.upload_id, "dataset": record.dataset, "status": record.status.value, "upload": None,
                    "message": f"upload {record.upload_id} was already received ({record.status.value}); "
                               "to send another file, use a new Idempotency-Key"}
        post = self._store.presigned_post(
            self._bucket, record.key, record.content_type, self._limits.max_bytes, self._limits.url_ttl_seconds
        )
        return {
            "upload_id": record.upload_id,
            "dataset": record.dataset,
            "status": record.status.value,
            "upload": {"url": post["url"], "fields": post["fields"], "method": "POST"},
            "content_type": record.content_type,
            "max_bytes": self._limits.max_bytes,
            "expires_in_seconds": self._limits.url_ttl_seconds,
        }

    def get(self, tenant_id: str, upload_id: str) -> UploadRecord:
        check_id(upload_id, "upload_id")
        record = self._repo.get(tenant_id, upload_id)
        if record is None:
            # Same answer for "does not exist" and "belongs to another tenant": nothing leaks.
            raise NotFound(f"upload {upload_id} not found", field="upload_id")
        return record

    def list(self, tenant_id: str, limit: int = 50) -> list[UploadRecord]:
        return self._repo.list(tenant_id, limit)


def public_view(record: UploadRecord) -> dict[str, Any]:
    """What a seller sees about an upload: no bucket names, no internal fingerprints. A check that
    died (timeout, out of memory, retries spent) shows as rejected with what to do: no upload waits
    in `validating` for ever."""
    from .validation import STALE_CLAIM, older_than

    view = record.model_dump(
        mode="json",
        exclude={"key", "request_fingerprint", "accepted_key", "quarantine_key", "tenant_id", "attempt"},
    )
    if record.status is UploadStatus.VALIDATING and older_than(record.updated_at, STALE_CLAIM):
        view["status"] = UploadStatus.REJECTED.value
        view["reason"] = ("checking this file did not finish (an error on SmartRetail's side; operations have been alerted); "
                          "the file is kept as uploaded: upload it again later or contact support")
    return view
