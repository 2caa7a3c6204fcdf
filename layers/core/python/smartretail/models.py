"""Records shared between handlers, services and adapters."""

from datetime import datetime, timezone
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .lake import check_id


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class UploadStatus(str, Enum):
    AWAITING_UPLOAD = "awaiting_upload"   # presigned POST handed out, no object yet
    VALIDATING = "validating"             # the file arrived; one invocation (`attempt`) is checking it
    VALIDATED = "validated"               # rows checked; accepted rows ready for the ETL
    DUPLICATE = "duplicate"               # same content as an earlier upload: not counted again
    REJECTED = "rejected"                 # the file as a whole is unusable (header, encoding)
    HELD = "held"                         # readable once the seller makes the one choice named in `reason`


class QuarantinedRow(BaseModel):
    row_number: int
    reasons: list[str]


class ReadingOptions(BaseModel):
    """How a file is to be read, as the seller declares it with the upload or saves it for a
    dataset; anything left out is detected from the file."""

    model_config = ConfigDict(extra="forbid")

    date_order: Literal["day_first", "month_first"] | None = Field(
        default=None, description="how numeric dates such as 01/07/2026 are written: day_first (1 July) or month_first (7 January)")
    decimal_separator: Literal[".", ","] | None = Field(default=None, description="the file's decimal mark, e.g. ',' for 3,58")
    column_mapping: dict[str, str] = Field(
        default_factory=dict, max_length=200,
        description="the file's header -> the dataset's column, e.g. {\"Qty\": \"units\", \"Outlet\": \"store_id\"}")
    sheet: str | None = Field(default=None, max_length=100, description="the .xlsx sheet to read (default: the first)")

    def over(self, saved: "ReadingOptions") -> "ReadingOptions":
        """These options, falling back to `saved` for anything not declared."""
        return ReadingOptions(date_order=self.date_order or saved.date_order,
                              decimal_separator=self.decimal_separator or saved.decimal_separator,
                              column_mapping={**saved.column_mapping, **self.column_mapping}, sheet=self.sheet or saved.sheet)


class MappedColumn(BaseModel):
    header: str     # as the file writes it
    column: str     # the dataset's column
    by: Literal["name", "synonym", "declared"]


class Reading(BaseModel):
    """How a file was read: recorded with the upload, so what was inferred can be seen and a check
    of the same file reads it the same way."""

    format: Literal["csv", "jsonl", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    columns: list[MappedColumn] = Field(default_factory=list)
    date_order: Literal["day_first", "month_first"] | None = None
    date_order_by: str | None = None         # "declared", or the date that settled it
    decimal_separator: Literal[".", ","] | None = None  # None: no number in the file needed one
    decimal_separator_by: str | None = None
    normalised: dict[str, int] = Field(default_factory=dict)  # "dates read as day-first": 1843


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
    reading_options: ReadingOptions = Field(default_factory=ReadingOptions)  # declared with the upload
    reading: Reading | None = None  # how the file was read


class RunRequest(BaseModel):
    """What a training pipeline's loader step is invoked with: the tenant and the run's model version,
    both safe to use in keys."""

    tenant_id: str
    model_version: str

    @field_validator("tenant_id", "model_version")
    @classmethod
    def _safe(cls, value: str, info) -> str:
        return check_id(value, info.field_name)
