"""Ports: the small interfaces domain code uses to reach AWS services.

Each has an AWS adapter (smartretail.adapters.aws_*) and a local or in-memory one, chosen in one
composition root per runtime.
"""

import json
from typing import IO, Any, Callable, Iterator, Protocol, Sequence

from .models import UploadRecord, UploadStatus


class ObjectStore(Protocol):
    def open_read(self, bucket: str, key: str) -> IO[bytes]: ...

    def read_if_exists(self, bucket: str, key: str) -> bytes | None:
        """A small object's bytes, or None when there is none (one request either way)."""

    def keys(self, bucket: str, prefix: str) -> Iterator[str]:
        """Every key under a prefix."""

    def child_prefixes(self, bucket: str, prefix: str) -> list[str]:
        """The 'folders' right under a prefix (each ends with '/')."""

    def put_file(self, bucket: str, key: str, path: str, content_type: str) -> None: ...

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = "application/json") -> None: ...

    def presigned_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> dict[str, Any]: ...

    def presigned_get(self, bucket: str, key: str, expires_in: int) -> str:
        """A URL that reads this one object until it expires (a browser shows an uploaded page with it)."""


class UploadRepository(Protocol):
    def create(self, record: UploadRecord, idempotency_key: str | None) -> UploadRecord:
        """Store a new upload, or return the one already stored under the same idempotency key."""

    def get(self, tenant_id: str, upload_id: str) -> UploadRecord | None: ...

    def save(self, record: UploadRecord, expect: tuple[UploadStatus, str | None] | None = None) -> None:
        """Store `record`; with `expect` (status, attempt) only if the stored one still has them,
        else Conflict: the one check that lets a single invocation turn an upload into a result."""

    def list(self, tenant_id: str, limit: int) -> list[UploadRecord]: ...

    def claim_content(self, tenant_id: str, dataset: str, sha256: str, upload_id: str) -> str:
        """Record that `upload_id` holds this content; return the upload that first held it."""


class ForecastStore(Protocol):
    def series(self, tenant_id: str, store_id: str, sku_id: str, start: str, end: str) -> list[dict[str, Any]]:
        """Stored forecast days (date, p10, p50, p90, drivers) of one series between two ISO dates."""

    def put_series(self, tenant_id: str, store_id: str, sku_id: str, days: list[dict[str, Any]]) -> None: ...


class ModelRegistry(Protocol):
    def versions(self, tenant_id: str) -> list[dict[str, Any]]: ...

    def record(self, tenant_id: str, version: dict[str, Any]) -> None: ...


class ForecastEndpoint(Protocol):
    def invoke(self, tenant_id: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """The tenant's live model forecasting a scenario on demand (the inference handlers' JSON
        contract); None when the tenant has no endpoint."""


class QueryEngine(Protocol):
    def query(self, sql: str, parameters: Sequence[str]) -> list[dict[str, Any]]:
        """Run one SELECT whose table names are written as {table}; `?` marks parameters."""


class ItemStore(Protocol):
    """JSON documents keyed by tenant and item key, versioned for optimistic concurrency."""

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None: ...

    def put(self, tenant_id: str, key: str, body: dict[str, Any], *, if_absent: bool = False,
            if_version: int | None = None, expires_at: int | None = None) -> dict[str, Any]:
        """Store the next version; raise Conflict when the condition does not hold. `expires_at`
        (epoch seconds) lets a table with a TTL drop the item then."""

    def get_many(self, tenant_id: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The items of these keys that exist, by key (one round trip per 100 keys)."""

    def put_many(self, tenant_id: str, items: dict[str, dict[str, Any]]) -> None: ...

    def delete_many(self, tenant_id: str, keys: list[str]) -> None: ...

    def query(self, tenant_id: str, prefix: str = "", limit: int | None = None,
              newest_first: bool = False) -> list[dict[str, Any]]: ...


class ResultCache(Protocol):
    """Answers worth keeping (a KPI query, a store's recommendations), by tenant and key, for a while."""

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None: ...

    def put(self, tenant_id: str, key: str, value: dict[str, Any], ttl_seconds: int) -> None: ...


class RequestCounter(Protocol):
    def add(self, tenant_id: str, window: str, expires_at: int) -> int:
        """Count one request in the tenant's `window`; the window's count so far (this one included).
        The count may be dropped after `expires_at` (epoch seconds)."""


class Notifier(Protocol):
    def publish(self, tenant_id: str, subject: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, tenant_id: str, email: str, alert_types: list[str] | None = None) -> str:
        """Send `email` the tenant's messages only (of `alert_types` only, when given); the
        subscription's ARN (or "pending confirmation")."""


class ComplianceAlerts(Protocol):
    """How a document that failed its validation rules raises an alert (alerts.AlertService)."""

    def document_failed(self, tenant_id: str, doc_id: str, doc_type: str, reasons: list[str]) -> dict[str, Any]:
        """Raise (or refresh) the document's compliance alert; the alert, with its `alert_id`."""


class DocumentReader(Protocol):
    """Textract: AnalyzeExpense (invoices, receipts) and AnalyzeDocument with FORMS and TABLES
    (certificates) of an object in S3, answered in Textract's response shape. Raises
    smartretail.documents.textract.DocumentUnreadable for files that are not a readable document.
    `version_id` pins the object version read (the one the pipeline claimed), not whatever is latest."""

    def analyze_expense(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]: ...

    def analyze_document(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]: ...


def read_json(store: ObjectStore, bucket: str, key: str) -> Any:
    with store.open_read(bucket, key) as body:
        return json.loads(body.read())


def read_lines(store: ObjectStore, bucket: str, prefix: str, chunk_bytes: int = 1 << 20,
               keep: Callable[[str], bool] | None = None) -> Iterator[str]:
    """The non-empty text lines of every object under a prefix (those whose key `keep` accepts),
    streamed (a batch forecast's output need not fit in memory)."""
    for key in store.keys(bucket, prefix):
        if keep is not None and not keep(key):
            continue
        with store.open_read(bucket, key) as body:
            pending = b""
            for chunk in iter(lambda: body.read(chunk_bytes), b""):
                *complete, pending = (pending + chunk).split(b"\n")
                yield from (line.rstrip(b"\r").decode() for line in complete if line.strip())
            if pending.strip():
                yield pending.rstrip(b"\r").decode()


class SearchIndex(Protocol):
    """Hybrid BM25 + vector search, always within one tenant: the copilot's retrieval over chunks with
    their metadata (smartretail.search.chunks.Chunk, with the platform's policies) and the storefront's
    product search over each tenant's catalogue."""

    def upsert(self, chunks: list[Any]) -> None:
        """Index documents' chunks, replacing what each document had before."""

    def delete(self, tenant_id: str, doc_id: str) -> int:
        """Remove a document's chunks; how many were removed."""

    def search(self, tenant_id: str, query: str, k: int = 5, doc_types: list[str] | None = None) -> list[Any]:
        """The k best hits (text, score, metadata) the tenant may see, best first."""

    def replace_catalog(self, tenant_id: str, products: list[Any], version: str) -> int:
        """Make these products (smartretail.storefront.catalog.Product) the tenant's searchable
        catalogue, in place of what an earlier version indexed; how many were indexed."""

    def search_catalog(self, tenant_id: str, query: str, filters: dict[str, Any] | None = None, page: int = 1,
                       page_size: int = 20) -> Any:
        """One page (smartretail.storefront.catalog.SearchPage) of the tenant's catalogue for a shopper's
        query within the filters, with facets; a query nothing matches gets a fallback that says so."""
