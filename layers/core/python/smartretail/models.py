"""Records shared between handlers, services and adapters."""

from datetime import datetime, timezone
from enum import Enum

from pydantic import BaseModel, Field


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class UploadStatus(str, Enum):
    AWAITING_UPLOAD = "awaiting_upload"   # presigned POST handed out, no object yet
    VALIDATING = "validating"             # the file arrived; one invocation (`attempt`) is checking it
    VALIDATED = "validated"               # rows checked; accepted rows ready for the ETL
    DUPLICATE = "duplicate"               # same content as an earlier upload: not counted again
    REJECTED = "rejected"                 # the file as a whole is unusable (header, encoding)


class QuarantinedRow(BaseModel):
    row_number: int
    reasons: list[str]


class UploadRecord(BaseModel):
    tenant_id: str
    upload_id: str
    dataset: str
    file_name: str
    content_type: str
    key: str
    status: UploadStatus = UploadStatus.AWAITING_UPLOAD
    created_at: str = Field(default_factory=utc_now)
    created_by: str = ""
    updated_at: str = Field(default_factory=utc_now)
    request_fingerprint: str = ""
    content_sha256: str | None = None
    size_bytes: int | None = None
    rows_total: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    duplicate_of: str | None = None
    reason: str | None = None
    ignored_columns: list[str] = Field(default_factory=list)
    reason_counts: dict[str, int] = Field(default_factory=dict)
    quarantine_sample: list[QuarantinedRow] = Field(default_factory=list)
    accepted_key: str | None = None
    quarantine_key: str | None = None
    attempt: str | None = None  # the invocation checking the file (a retry of it carries the same id)
