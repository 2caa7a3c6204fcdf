"""Where things live in the data lake. Every key starts with the tenant so IAM, lifecycle rules and
queries can be scoped by it."""

import re
from typing import TYPE_CHECKING

from .errors import InvalidRequest

if TYPE_CHECKING:
    from .ports import ObjectStore

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SAFE_FILE = re.compile(r"[^A-Za-z0-9_.-]+")

RAW_PREFIX = "raw"
ACCEPTED_PREFIX = "accepted"
QUARANTINE_PREFIX = "quarantine"


def is_id(value: str | None) -> bool:
    """IDs end up in S3 keys and SQL parameters: only a safe alphabet."""
    return isinstance(value, str) and bool(_ID.fullmatch(value))


def check_id(value: str, field: str) -> str:
    """IDs end up in S3 keys and SQL parameters: allow only a safe alphabet."""
    if not is_id(value):
        raise InvalidRequest(
            f"{field} must be 1-64 characters of letters, digits, '_', '-' or '.'", field=field
        )
    return value


def stored_id(value: str, field: str) -> str:
    """An ID as the ETL stores it (trimmed, upper case), for request models: pydantic answers 422
    with the message when it raises ValueError."""
    try:
        return check_id(value.strip(), field).upper()
    except InvalidRequest as exc:
        raise ValueError(exc.message) from None


def safe_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_FILE.sub("_", base).strip("._") or "upload"
    return cleaned[:120]


def content_type_for(file_name: str, content_type: str | None, allowed: dict[str, str], kinds: str) -> str:
    """The content type an upload must be sent with, from its file name's extension; a declared type
    that does not match is refused. `allowed` maps extensions to types; `kinds` says them in words."""
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    expected = allowed.get(extension)
    if expected is None:
        names = list(allowed)
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        raise InvalidRequest(f"file_name must end in {listed} ({kinds})", field="file_name")
    if content_type and content_type.split(";")[0].strip().lower() != expected:
        raise InvalidRequest(f"content_type {content_type!r} does not match {extension} (use {expected})", field="content_type")
    return expected


def raw_key(tenant_id: str, dataset: str, upload_id: str, file_name: str) -> str:
    return f"{RAW_PREFIX}/{tenant_id}/{dataset}/{upload_id}/{safe_file_name(file_name)}"


def parse_raw_key(key: str) -> tuple[str, str, str, str] | None:
    """(tenant_id, dataset, upload_id, file_name) of an uploaded object, or None for other keys."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != RAW_PREFIX:
        return None
    _, tenant_id, dataset, upload_id, file_name = parts
    return tenant_id, dataset, upload_id, file_name


def quality_report_key(tenant_id: str, run_id: str) -> str:
    """Where an ETL run's data-quality report goes, in the curated bucket."""
    return f"quality/tenant_id={tenant_id}/run_id={run_id}/report.json"


def latest_run_key(tenant_id: str) -> str:
    """The report of the tenant's latest ETL run, written after its curated tables: its run_id names
    the version of the tenant's curated data (answers computed from it are cached by it)."""
    return f"quality/tenant_id={tenant_id}/latest.json"


def publish_quality_report(store: "ObjectStore", curated_bucket: str, tenant_id: str, run_id: str, report_json: str) -> None:
    """End of an ETL run for a tenant: its report, then the pointer to it (the new data version)."""
    store.put_bytes(curated_bucket, quality_report_key(tenant_id, run_id), report_json.encode())
    store.put_bytes(curated_bucket, latest_run_key(tenant_id), report_json.encode())


def accepted_key(tenant_id: str, dataset: str, upload_id: str) -> str:
    return f"{ACCEPTED_PREFIX}/{tenant_id}/{dataset}/{upload_id}.jsonl"


def accepted_prefix(tenant_id: str, dataset: str) -> str:
    return f"{ACCEPTED_PREFIX}/{tenant_id}/{dataset}/"


def quarantine_key(tenant_id: str, dataset: str, upload_id: str) -> str:
    return f"{QUARANTINE_PREFIX}/{tenant_id}/{dataset}/{upload_id}.jsonl"



def models_prefix(tenant_id: str) -> str:
    """Where a tenant's training runs keep what they make (artifacts bucket)."""
    return f"models/{check_id(tenant_id, 'tenant_id')}/"


def model_prefix(tenant_id: str, model_version: str) -> str:
    """Where a training run writes its evaluation, decision and batch forecast (artifacts bucket)."""
    return f"{models_prefix(tenant_id)}{check_id(model_version, 'model_version')}/"


def tenants_with_accepted_rows(store: "ObjectStore", bucket: str) -> list[str]:
    """Tenants with any accepted upload: whom an ETL run for "all" covers."""
    return [p.split("/")[1] for p in store.child_prefixes(bucket, f"{ACCEPTED_PREFIX}/")]


def accepted_keys(store: "ObjectStore", bucket: str, tenant_id: str, datasets: tuple[str, ...]) -> dict[str, list[str]]:
    """The ETL's inputs: every accepted file of a tenant, by dataset."""
    return {d: list(store.keys(bucket, accepted_prefix(tenant_id, d))) for d in datasets}
