"""In-memory adapters for unit tests of domain logic (no sockets, no moto). Each can be told to fail
its next calls with the error the AWS service would raise (`fail_next`), so error paths are tested."""

import copy
import io
from typing import IO, Any, Iterator

from ..errors import Conflict
from .aws_clients import unavailable
from ..models import UploadRecord, UploadStatus


class Faults:
    """`fail_next(error, times)`: the adapter's next calls raise `error` instead of doing their work,
    translated as the AWS adapter would (a throttling ClientError becomes ServiceUnavailable)."""

    _faults: list[BaseException]
    service = "AWS"

    def fail_next(self, error: BaseException, times: int = 1) -> None:
        self.__dict__.setdefault("_faults", []).extend([error] * times)

    def __getattribute__(self, name: str) -> Any:
        attribute = object.__getattribute__(self, name)
        faults = object.__getattribute__(self, "__dict__").get("_faults")
        if faults and callable(attribute) and not name.startswith("_") and name != "fail_next":
            def failing(*args: Any, **kwargs: Any) -> Any:
                error = faults.pop(0)
                raise unavailable(object.__getattribute__(self, "service"), error) or error
            return failing
        return attribute


def aws_error(code: str, operation: str, message: str = "") -> Exception:
    """The botocore ClientError a service answers with, e.g. aws_error("ThrottlingException", "PutItem")."""
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message or code}, "ResponseMetadata": {"HTTPStatusCode": 400}},
                       operation)


class MemoryObjectStore(Faults):
    service = "S3"

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def open_read(self, bucket: str, key: str) -> IO[bytes]:
        return io.BytesIO(self.objects[(bucket, key)])

    def read_if_exists(self, bucket: str, key: str) -> bytes | None:
        return self.objects.get((bucket, key))

    def keys(self, bucket: str, prefix: str) -> Iterator[str]:
        return iter(sorted(k for b, k in self.objects if b == bucket and k.startswith(prefix)))

    def child_prefixes(self, bucket: str, prefix: str) -> list[str]:
        return sorted({prefix + k[len(prefix):].split("/")[0] + "/" for k in self.keys(bucket, prefix) if "/" in k[len(prefix):]})

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = "application/json") -> None:
        self.objects[(bucket, key)] = data

    def put_file(self, bucket: str, key: str, path: str, content_type: str) -> None:
        with open(path, "rb") as f:
            self.objects[(bucket, key)] = f.read()

    def presigned_post(self, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        return {"url": f"memory://{bucket}", "fields": {"key": key, "Content-Type": content_type}}

    def presigned_get(self, bucket: str, key: str, expires_in: int) -> str:
        return f"memory://{bucket}/{key}?expires_in={expires_in}"


class MemoryUploadRepository(Faults):
    service = "DynamoDB"

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], UploadRecord] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self.contents: dict[tuple[str, str, str], str] = {}

    def create(self, record: UploadRecord, idempotency_key: str | None) -> UploadRecord:
        if idempotency_key is not None:
            existing = self.idempotency.get((record.tenant_id, idempotency_key))
            if existing:
                return self.records[(record.tenant_id, existing)]
            self.idempotency[(record.tenant_id, idempotency_key)] = record.upload_id
        self.records[(record.tenant_id, record.upload_id)] = record.model_copy(deep=True)
        return record

    def get(self, tenant_id: str, upload_id: str) -> UploadRecord | None:
        found = self.records.get((tenant_id, upload_id))
        return found.model_copy(deep=True) if found else None

    def save(self, record: UploadRecord, expect: tuple[UploadStatus, str | None] | None = None) -> None:
        stored = self.records.get((record.tenant_id, record.upload_id))
        if expect is not None and (stored is None or (stored.status, stored.attempt) != expect):
            raise Conflict(f"upload {record.upload_id} changed meanwhile")
        self.records[(record.tenant_id, record.upload_id)] = record.model_copy(deep=True)

    def list(self, tenant_id: str, limit: int) -> list[UploadRecord]:
        mine = [r for (t, _), r in self.records.items() if t == tenant_id]
        return sorted(mine, key=lambda r: r.created_at, reverse=True)[:limit]

    def claim_content(self, tenant_id: str, dataset: str, sha256: str, upload_id: str) -> str:
        return self.contents.setdefault((tenant_id, dataset, sha256), upload_id)


class MemoryForecastStore(Faults):
    service = "DynamoDB"

    def __init__(self) -> None:
        self.days: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}

    def series(self, tenant_id: str, store_id: str, sku_id: str, start: str, end: str) -> list[dict[str, Any]]:
        stored = self.days.get((tenant_id, store_id, sku_id), {})
        return [stored[d] for d in sorted(stored) if start <= d <= end]

    def put_series(self, tenant_id: str, store_id: str, sku_id: str, days: list[dict[str, Any]]) -> None:
        self.days.setdefault((tenant_id, store_id, sku_id), {}).update({d["date"]: dict(d) for d in days})


class MemoryModelRegistry(Faults):
    service = "DynamoDB"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def versions(self, tenant_id: str) -> list[dict[str, Any]]:
        return [dict(v) for (t, _), v in self.items.items() if t == tenant_id]

    def record(self, tenant_id: str, version: dict[str, Any]) -> None:
        self.items[(tenant_id, version["model_version"])] = dict(version)


class MemoryItemStore(Faults):
    """ItemStore in a dict, with the same conditions and errors as the DynamoDB adapter."""

    service = "DynamoDB"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None:
        found = self.items.get((tenant_id, key))
        return copy.deepcopy(found) if found else None

    def put(self, tenant_id: str, key: str, body: dict[str, Any], *, if_absent: bool = False,
            if_version: int | None = None, expires_at: int | None = None) -> dict[str, Any]:
        current = self.items.get((tenant_id, key))
        if (if_absent and current is not None) or (if_version is not None and (current or {}).get("version") != if_version):
            raise Conflict("this item was changed by someone else in the meantime: reload it and try again")
        stored = {**copy.deepcopy(body), "version": (if_version or 0) + 1, "item_key": key}
        self.items[(tenant_id, key)] = stored
        return copy.deepcopy(stored)

    def get_many(self, tenant_id: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        return {key: copy.deepcopy(self.items[(tenant_id, key)]) for key in dict.fromkeys(keys) if (tenant_id, key) in self.items}

    def put_many(self, tenant_id: str, items: dict[str, dict[str, Any]]) -> None:
        for key, body in items.items():
            self.items[(tenant_id, key)] = {**copy.deepcopy(body), "version": 1, "item_key": key}

    def delete_many(self, tenant_id: str, keys: list[str]) -> None:
        for key in keys:
            self.items.pop((tenant_id, key), None)

    def query(self, tenant_id: str, prefix: str = "", limit: int | None = None, newest_first: bool = False) -> list[dict[str, Any]]:
        keys = sorted((k for t, k in self.items if t == tenant_id and k.startswith(prefix)), reverse=newest_first)
        return [copy.deepcopy(self.items[(tenant_id, k)]) for k in keys][:limit]


class MemoryQueryEngine(Faults):
    """QueryEngine over `sales_daily` rows held in memory, run by DuckDB as the local stack runs the
    same SQL (no sockets, no files)."""

    service = "Athena"

    def __init__(self, sales_daily: list[dict[str, Any]]) -> None:
        self.sales_daily = sales_daily

    def query(self, sql: str, parameters: Any) -> list[dict[str, Any]]:
        import duckdb
        import pandas as pd

        con = duckdb.connect()
        try:
            table = pd.DataFrame(self.sales_daily)
            for column, kind in (("unit_cost", "float64"), ("on_hand", "float64"), ("stockout", "object")):
                if column not in table:  # the table's optional columns, null where a test's rows leave them out
                    table[column] = pd.Series([None] * len(table), dtype=kind)
            con.register("sales_daily", table)
            cursor = con.execute(sql.replace("{sales_daily}", "sales_daily"), list(parameters))
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]
        finally:
            con.close()


class MemoryForecastEndpoint(Faults):
    """ForecastEndpoint answering from stored days (a model's endpoint extends the stored horizon)."""

    service = "SageMaker Runtime"

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        self.answer = answer

    def invoke(self, tenant_id: str, request: dict[str, Any]) -> dict[str, Any] | None:
        return self.answer


class MemoryRequestCounter(Faults):
    service = "DynamoDB"

    def __init__(self) -> None:
        self.hits: dict[tuple[str, str], int] = {}

    def add(self, tenant_id: str, window: str, expires_at: int) -> int:
        self.hits[(tenant_id, window)] = self.hits.get((tenant_id, window), 0) + 1
        return self.hits[(tenant_id, window)]


class MemoryNotifier(Faults):
    service = "SNS"

    def __init__(self) -> None:
        self.published: list[tuple[str, str, dict[str, Any]]] = []
        self.subscriptions: list[tuple[str, str]] = []

    def publish(self, tenant_id: str, subject: str, message: dict[str, Any]) -> None:
        self.published.append((tenant_id, subject, message))

    def subscribe(self, tenant_id: str, email: str, alert_types: list[str] | None = None) -> str:
        self.subscriptions.append((tenant_id, email) if alert_types is None else (tenant_id, email, alert_types))
        return "pending confirmation"


class MemoryResultCache(Faults):
    service = "DynamoDB"

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None:
        found = self.entries.get((tenant_id, key))
        return copy.deepcopy(found) if found is not None else None

    def put(self, tenant_id: str, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        self.entries[(tenant_id, key)] = copy.deepcopy(value)


class MemoryClientIssuer(Faults):
    """Cognito app clients for machines, in a dict: (client id, secret) per created client."""

    service = "Cognito"

    def __init__(self) -> None:
        self.clients: dict[str, dict[str, Any]] = {}

    def create(self, name: str, scopes: list[str]) -> tuple[str, str]:
        client_id = f"client{len(self.clients) + 1:04d}"
        self.clients[client_id] = {"name": name, "scopes": list(scopes), "secret": f"secret-{client_id}"}
        return client_id, self.clients[client_id]["secret"]

    def delete(self, client_id: str) -> None:
        self.clients.pop(client_id, None)


class MemoryRetrainRequests(Faults):
    """Retraining requests kept in a list, as (tenant, reasons)."""

    service = "EventBridge"

    def __init__(self) -> None:
        self.requests: list[tuple[str, list[str]]] = []

    def request(self, tenant_id: str, reasons: list[str]) -> str:
        self.requests.append((tenant_id, list(reasons)))
        return f"request-{len(self.requests)}"
