"""Handing out upload slots and reporting on them (the API side of ingestion), the reading settings
a tenant saves per dataset, and previews of how a file will be read."""

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..audit import AuditTrail
from ..auth import Principal
from ..contracts import CONTRACTS, DatasetContract
from ..errors import Conflict, InvalidRequest, NotFound
from ..lake import check_id, content_type_for, raw_key, safe_file_name
from ..models import ReadingOptions, UploadRecord, UploadStatus
from ..ports import ItemStore, ObjectStore, UploadRepository
from .reading import JSONL, XLSX, check_options, preview

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",  # point-of-sale exports: read as delimited text
    ".xlsx": XLSX,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
}
FILE_KINDS = "CSV or other delimited text, Excel .xlsx, or JSON Lines"
PREVIEW_MAX_BYTES = 3 * 1024 * 1024  # under the API's request limit once base64-encoded
SETTINGS_KEY = "ingest-settings#{dataset}"  # a tenant's saved reading settings, in the decisions table


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    url_ttl_seconds: int


def new_upload_id() -> str:
    """Time-ordered (milliseconds, then randomness): the uploads table's sort key lists newest first."""
    return f"up_{time.time_ns() // 1_000_000:012x}{uuid.uuid4().hex[:20]}"


def _contract(dataset: str) -> DatasetContract:
    if dataset not in CONTRACTS:
        raise NotFound(f"unknown dataset {dataset!r}; use one of: {', '.join(sorted(CONTRACTS))}", field="dataset")
    return CONTRACTS[dataset]


class UploadService:
    def __init__(self, store: ObjectStore, repo: UploadRepository, raw_bucket: str, limits: UploadLimits,
                 settings: ItemStore | None = None, audit: AuditTrail | None = None):
        self._store = store
        self._repo = repo
        self._bucket = raw_bucket
        self._limits = limits
        self._settings = settings
        self._audit = audit

    def create(
        self,
        tenant_id: str,
        user_id: str,
        dataset: str,
        file_name: str,
        content_type: str | None,
        idempotency_key: str | None,
        options: ReadingOptions | None = None,
    ) -> dict[str, Any]:
        contract = _contract(dataset)
        if idempotency_key is not None:
            idempotency_key = idempotency_key.strip()
            if not 1 <= len(idempotency_key) <= 128:
                raise InvalidRequest("Idempotency-Key must be 1-128 characters", field="Idempotency-Key")
        resolved_type = content_type_for(file_name, content_type, CONTENT_TYPES, FILE_KINDS)
        # What the seller declared, over what the tenant saved for the dataset: recorded with the upload,
        # so its check (and any re-run of it) reads the file the way it was asked to.
        declared = options or ReadingOptions()
        check_options(contract, declared)
        options = declared.over(self.saved_options(tenant_id, dataset))
        check_options(contract, options)  # (what was declared and what was saved may name one column twice)
        asked = f"{dataset}\n{safe_file_name(file_name)}"
        if declared != ReadingOptions():  # (a request without options keeps the fingerprint it always had)
            asked += f"\n{declared.model_dump_json()}"
        fingerprint = hashlib.sha256(asked.encode()).hexdigest()
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
                reading_options=options,
            ),
            idempotency_key,
        )
        if record.request_fingerprint != fingerprint:
            raise Conflict(
                "this Idempotency-Key was already used for a different dataset, file name or reading options; "
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

    def saved_options(self, tenant_id: str, dataset: str) -> ReadingOptions:
        """How the tenant's files for `dataset` are read unless an upload says otherwise."""
        _contract(dataset)
        stored = self._settings.get(tenant_id, SETTINGS_KEY.format(dataset=dataset)) if self._settings else None
        return ReadingOptions.model_validate(options_of(stored or {}))

    def save_options(self, principal: Principal, dataset: str, options: ReadingOptions) -> dict[str, Any]:
        """Save how this tenant's `dataset` files are read (a conditional write, audited)."""
        contract = _contract(dataset)
        check_options(contract, options)
        if self._settings is None or self._audit is None:
            raise RuntimeError("this UploadService cannot save settings: it has no settings store and audit trail")
        key = SETTINGS_KEY.format(dataset=dataset)
        before = self._settings.get(principal.tenant_id, key)
        body = {**options.model_dump(), "updated_by": principal.user_id,
                "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self._settings.put(principal.tenant_id, key, body,
                           **({"if_version": before["version"]} if before else {"if_absent": True}))
        self._audit.record(principal, "ingest.settings.updated", key, before=before and options_of(before), after=options.model_dump())
        return {"dataset": dataset, **options.model_dump(), "updated_by": principal.user_id, "updated_at": body["updated_at"]}

    def preview(self, tenant_id: str, dataset: str, file_name: str, data: bytes, complete: bool,
                options: ReadingOptions | None = None) -> dict[str, Any]:
        """How a file (or its first part) would be read and checked, before it is uploaded."""
        contract = _contract(dataset)
        content_type = content_type_for(file_name, None, CONTENT_TYPES, FILE_KINDS)
        if len(data) > PREVIEW_MAX_BYTES:
            raise InvalidRequest(f"a preview reads at most {PREVIEW_MAX_BYTES // (1024 * 1024)} MB: send the file's first part "
                                 "with complete=false (a workbook must be sent whole: upload a larger one directly)",
                                 field="content_base64")
        if content_type == XLSX and not complete:
            raise InvalidRequest("an .xlsx workbook cannot be read from its first part: send the whole file", field="complete")
        options = options or ReadingOptions()
        check_options(contract, options)
        merged = options.over(self.saved_options(tenant_id, dataset))
        check_options(contract, merged)
        return preview(data, content_type, contract, merged, complete)

    def get(self, tenant_id: str, upload_id: str) -> UploadRecord:
        check_id(upload_id, "upload_id")
        record = self._repo.get(tenant_id, upload_id)
        if record is None:
            # Same answer for "does not exist" and "belongs to another tenant": nothing leaks.
            raise NotFound(f"upload {upload_id} not found", field="upload_id")
        return record

    def list(self, tenant_id: str, limit: int = 50) -> list[UploadRecord]:
        return self._repo.list(tenant_id, limit)


def options_of(stored: dict[str, Any]) -> dict[str, Any]:
    return ReadingOptions.model_validate({k: v for k, v in stored.items() if k in ReadingOptions.model_fields}).model_dump()


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
