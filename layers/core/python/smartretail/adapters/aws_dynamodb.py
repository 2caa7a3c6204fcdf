"""The ports kept in DynamoDB; every table's partition key is the tenant, so no query can cross tenants.

- UploadRepository (pk tenant_id, sk upload_id). Besides upload records, the table holds two kinds of
  marker items under the same tenant key: `idem#<key>` (an Idempotency-Key seen) and
  `content#<dataset>#<sha256>` (a file content seen).
- ItemStore: JSON documents keyed by tenant and an item key (pk tenant_id, sk item_key), with a
  version number for optimistic concurrency. The decisions, proposals, alerts, audit and documents
  tables all use it.
- ForecastStore and ModelRegistry (tables of ForecastingConstruct); the registry keeps a pointer item
  to the live version, which the training pipeline's GetLiveModel state reads.
"""

import json
import time
from decimal import Decimal
from typing import Any

from ..errors import Conflict, ServiceUnavailable
from ..forecasting.artefacts import LIVE_POINTER
from ..models import UploadRecord, UploadStatus
from .aws_clients import LazyClient, translates_errors

_UPLOAD_PREFIX = "up_"
BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem request


def _batch_write(ddb: Any, table: str, requests: list[dict[str, Any]]) -> None:
    """Put or delete items in batches, sending again whatever DynamoDB left unprocessed."""
    for i in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending = {table: requests[i : i + BATCH_WRITE_LIMIT]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _to_item(record: UploadRecord) -> dict[str, Any]:
    return {
        "tenant_id": {"S": record.tenant_id},
        "upload_id": {"S": record.upload_id},
        "status": {"S": record.status.value},
        "created_at": {"S": record.created_at},
        "body": {"S": record.model_dump_json()},
        **({"attempt": {"S": record.attempt}} if record.attempt else {}),
    }


def _from_item(item: dict[str, Any]) -> UploadRecord:
    return UploadRecord.model_validate(json.loads(item["body"]["S"]))


@translates_errors("DynamoDB")
class DynamoUploadRepository:
    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def create(self, record: UploadRecord, idempotency_key: str | None) -> UploadRecord:
        if idempotency_key is None:
            self._ddb.put_item(
                TableName=self._table,
                Item=_to_item(record),
                ConditionExpression="attribute_not_exists(upload_id)",
            )
            return record
        marker = {
            "tenant_id": {"S": record.tenant_id},
            "upload_id": {"S": f"idem#{idempotency_key}"},
            "target": {"S": record.upload_id},
        }
        try:
            self._ddb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": marker,
                            "ConditionExpression": "attribute_not_exists(upload_id)",
                        }
                    },
                    {"Put": {"TableName": self._table, "Item": _to_item(record)}},
                ]
            )
            return record
        except self._ddb.exceptions.TransactionCanceledException:
            existing = self._ddb.get_item(
                TableName=self._table,
                Key={"tenant_id": marker["tenant_id"], "upload_id": marker["upload_id"]},
                ConsistentRead=True,
            )["Item"]
            found = self.get(record.tenant_id, existing["target"]["S"])
            if found is None:
                raise
            return found

    def get(self, tenant_id: str, upload_id: str) -> UploadRecord | None:
        if not upload_id.startswith(_UPLOAD_PREFIX):
            return None
        item = self._ddb.get_item(
            TableName=self._table,
            Key={"tenant_id": {"S": tenant_id}, "upload_id": {"S": upload_id}},
            ConsistentRead=True,
        ).get("Item")
        return _from_item(item) if item else None

    def save(self, record: UploadRecord, expect: tuple[UploadStatus, str | None] | None = None) -> None:
        if expect is None:
            self._ddb.put_item(TableName=self._table, Item=_to_item(record))
            return
        status, attempt = expect
        condition, values = "#status = :status", {":status": {"S": status.value}}
        if attempt is None:
            condition += " AND attribute_not_exists(attempt)"
        else:
            condition += " AND attempt = :attempt"
            values[":attempt"] = {"S": attempt}
        try:
            self._ddb.put_item(TableName=self._table, Item=_to_item(record), ConditionExpression=condition,
                               ExpressionAttributeNames={"#status": "status"}, ExpressionAttributeValues=values)
        except self._ddb.exceptions.ConditionalCheckFailedException:
            raise Conflict(f"upload {record.upload_id} changed meanwhile") from None

    def list(self, tenant_id: str, limit: int) -> list[UploadRecord]:
        response = self._ddb.query(
            TableName=self._table,
            KeyConditionExpression="tenant_id = :t AND begins_with(upload_id, :p)",
            ExpressionAttributeValues={":t": {"S": tenant_id}, ":p": {"S": _UPLOAD_PREFIX}},
            ScanIndexForward=False, Limit=limit,  # upload ids are time-ordered: the newest come first
        )
        records = [_from_item(i) for i in response.get("Items", [])]
        return sorted(records, key=lambda r: r.created_at, reverse=True)

    def claim_content(self, tenant_id: str, dataset: str, sha256: str, upload_id: str) -> str:
        key = {"tenant_id": {"S": tenant_id}, "upload_id": {"S": f"content#{dataset}#{sha256}"}}
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item={**key, "owner": {"S": upload_id}},
                ConditionExpression="attribute_not_exists(upload_id)",
            )
            return upload_id
        except self._ddb.exceptions.ConditionalCheckFailedException:
            item = self._ddb.get_item(TableName=self._table, Key=key, ConsistentRead=True)["Item"]
            return item["owner"]["S"]


@translates_errors("DynamoDB")
class DynamoItemStore:
    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def _key(self, tenant_id: str, key: str) -> dict[str, Any]:
        return {"tenant_id": {"S": tenant_id}, "item_key": {"S": key}}

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None:
        item = self._ddb.get_item(TableName=self._table, Key=self._key(tenant_id, key), ConsistentRead=True).get("Item")
        return self._body(item) if item else None

    def put(self, tenant_id: str, key: str, body: dict[str, Any], *, if_absent: bool = False,
            if_version: int | None = None, expires_at: int | None = None) -> dict[str, Any]:
        """Write `body` as the next version; `if_absent`/`if_version` make it conditional (Conflict);
        `expires_at` is the table's TTL attribute."""
        version = (if_version or 0) + 1
        request: dict[str, Any] = {"TableName": self._table, "Item": {
            **self._key(tenant_id, key), "version": {"N": str(version)}, "body": {"S": json.dumps(body)}}}
        if expires_at is not None:
            request["Item"]["expires_at"] = {"N": str(int(expires_at))}
        if if_absent:
            request["ConditionExpression"] = "attribute_not_exists(item_key)"
        elif if_version is not None:
            request["ConditionExpression"] = "version = :v"
            request["ExpressionAttributeValues"] = {":v": {"N": str(if_version)}}
        try:
            self._ddb.put_item(**request)
        except self._ddb.exceptions.ConditionalCheckFailedException:
            raise Conflict("this item was changed by someone else in the meantime: reload it and try again") from None
        return {**body, "version": version, "item_key": key}

    def get_many(self, tenant_id: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):  # BatchGetItem's limit
            request = {self._table: {"Keys": [self._key(tenant_id, key) for key in unique[start:start + 100]]}}
            for attempt in range(6):
                answer = self._ddb.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._table, []):
                    body = self._body(item)
                    found[body["item_key"]] = body
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05 * 2 ** attempt)
            else:
                raise ServiceUnavailable("DynamoDB did not return every item asked for; try again", retry_after_seconds=1)
        return found

    def put_many(self, tenant_id: str, items: dict[str, dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": {**self._key(tenant_id, key), "version": {"N": "1"},
                                             "body": {"S": json.dumps(body)}}}} for key, body in items.items()]
        _batch_write(self._ddb, self._table, requests)

    def delete_many(self, tenant_id: str, keys: list[str]) -> None:
        _batch_write(self._ddb, self._table, [{"DeleteRequest": {"Key": self._key(tenant_id, key)}} for key in keys])

    def query(self, tenant_id: str, prefix: str = "", limit: int | None = None, newest_first: bool = False) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table, "ScanIndexForward": not newest_first,
            "KeyConditionExpression": "tenant_id = :t", "ExpressionAttributeValues": {":t": {"S": tenant_id}},
        }
        if prefix:  # DynamoDB refuses begins_with on an empty string
            request["KeyConditionExpression"] += " AND begins_with(item_key, :p)"
            request["ExpressionAttributeValues"][":p"] = {"S": prefix}
        out: list[dict[str, Any]] = []
        while True:
            page = self._ddb.query(**request)
            out.extend(self._body(item) for item in page.get("Items", []))
            if limit is not None and len(out) >= limit:
                return out[:limit]
            if "LastEvaluatedKey" not in page:
                return out
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    @staticmethod
    def _body(item: dict[str, Any]) -> dict[str, Any]:
        return {**json.loads(item["body"]["S"]), "version": int(item["version"]["N"]), "item_key": item["item_key"]["S"]}


def _series_key(tenant_id: str, store_id: str, sku_id: str) -> str:
    return f"{tenant_id}#{store_id}#{sku_id}"


@translates_errors("DynamoDB")
class DynamoForecastStore:
    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def series(self, tenant_id: str, store_id: str, sku_id: str, start: str, end: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "series = :s AND #d BETWEEN :a AND :b",
            "ExpressionAttributeNames": {"#d": "date"},
            "ExpressionAttributeValues": {":s": {"S": _series_key(tenant_id, store_id, sku_id)}, ":a": {"S": start}, ":b": {"S": end}},
        }
        while True:
            page = self._ddb.query(**request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [
            {"date": i["date"]["S"], "p10": float(i["p10"]["N"]), "p50": float(i["p50"]["N"]), "p90": float(i["p90"]["N"]),
             "drivers": json.loads(i["drivers"]["S"]) if "drivers" in i else [], "model_version": i.get("model_version", {}).get("S")}
            for i in items
        ]

    def put_series(self, tenant_id: str, store_id: str, sku_id: str, days: list[dict[str, Any]]) -> None:
        key = _series_key(tenant_id, store_id, sku_id)
        requests = [
            {"PutRequest": {"Item": {
                "series": {"S": key}, "date": {"S": d["date"]},
                **{q: {"N": str(Decimal(str(round(d[q], 2))))} for q in ("p10", "p50", "p90")},
                "drivers": {"S": json.dumps(d.get("drivers", []))}, "model_version": {"S": d["model_version"]},
            }}}
            for d in days
        ]
        _batch_write(self._ddb, self._table, requests)


@translates_errors("DynamoDB")
class DynamoModelRegistry:
    """One item per version (its record as JSON in `body`; `status` and `reason` as attributes, which
    the training pipeline's state machine writes directly) and a `#live` pointer item carrying the
    live version's WAPE, which the pipeline's Choice compares a new model against."""

    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def versions(self, tenant_id: str) -> list[dict[str, Any]]:
        request = {"TableName": self._table, "KeyConditionExpression": "tenant_id = :t",
                   "ExpressionAttributeValues": {":t": {"S": tenant_id}}}
        versions = []
        while True:
            page = self._ddb.query(**request)
            for item in page.get("Items", []):
                if item["model_version"]["S"] == LIVE_POINTER:
                    continue
                version = json.loads(item["body"]["S"])
                version["status"] = item["status"]["S"]
                if "reason" in item:
                    version["reason"] = item["reason"]["S"]
                versions.append(version)
            if "LastEvaluatedKey" not in page:
                return versions
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def live_pointer(self, tenant_id: str) -> dict[str, Any] | None:
        """The live version and its WAPE, read as the pipeline's GetLiveModel state reads them."""
        item = self._ddb.get_item(TableName=self._table, ConsistentRead=True,
                                  Key={"tenant_id": {"S": tenant_id}, "model_version": {"S": LIVE_POINTER}}).get("Item")
        return {"model_version": item["live_version"]["S"], "wape": float(item["wape"]["N"])} if item else None

    def record(self, tenant_id: str, version: dict[str, Any]) -> None:
        item = {"tenant_id": {"S": tenant_id}, "model_version": {"S": version["model_version"]},
                "status": {"S": version["status"]}, "body": {"S": json.dumps(version)}}
        if version.get("reason"):
            item["reason"] = {"S": version["reason"]}
        self._ddb.put_item(TableName=self._table, Item=item)
        if version["status"] == "live":
            self._ddb.put_item(TableName=self._table, Item={
                "tenant_id": {"S": tenant_id}, "model_version": {"S": LIVE_POINTER},
                "live_version": {"S": version["model_version"]}, "wape": {"N": str(version["wape"])},
            })


@translates_errors("DynamoDB")
class DynamoRequestCounter:
    """RequestCounter on a table keyed tenant_id / window, expired by DynamoDB's TTL on `expires_at`."""

    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def add(self, tenant_id: str, window: str, expires_at: int) -> int:
        answer = self._ddb.update_item(
            TableName=self._table, Key={"tenant_id": {"S": tenant_id}, "window": {"S": window}},
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["hits"]["N"])


@translates_errors("DynamoDB")
class DynamoResultCache:
    """ResultCache on a table keyed tenant_id / item_key; DynamoDB's TTL removes entries after
    `expires_at` (within a day or two), and a read never returns one past it."""

    _ddb = LazyClient("dynamodb")

    def __init__(self, table_name: str, dynamodb: Any | None = None):
        self._table = table_name
        self._client = dynamodb

    def get(self, tenant_id: str, key: str) -> dict[str, Any] | None:
        item = self._ddb.get_item(TableName=self._table, Key={"tenant_id": {"S": tenant_id}, "item_key": {"S": key}}).get("Item")
        if not item or int(item["expires_at"]["N"]) <= time.time():
            return None
        return json.loads(item["body"]["S"])

    def put(self, tenant_id: str, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        self._ddb.put_item(TableName=self._table, Item={
            "tenant_id": {"S": tenant_id}, "item_key": {"S": key}, "body": {"S": json.dumps(value, default=str)},
            "expires_at": {"N": str(int(time.time()) + ttl_seconds)}})
