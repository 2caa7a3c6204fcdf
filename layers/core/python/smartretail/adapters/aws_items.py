"""ItemStore on DynamoDB: JSON documents keyed by tenant and an item key (pk tenant_id, sk item_key),
with a version number for optimistic concurrency. The decisions, proposals, alerts and audit tables
all use it; the tenant is the partition key, so no query can cross tenants."""

import json
from typing import Any

from ..errors import Conflict
from .aws_clients import LazyClient


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
            if_version: int | None = None) -> dict[str, Any]:
        """Write `body` as the next version; `if_absent`/`if_version` make it conditional (Conflict)."""
        version = (if_version or 0) + 1
        request: dict[str, Any] = {"TableName": self._table, "Item": {
            **self._key(tenant_id, key), "version": {"N": str(version)}, "body": {"S": json.dumps(body)}}}
        if if_absent:
            request["ConditionExpression"] = "attribute_not_exists(item_key)"
        elif if_version is not None:
            request["ConditionExpression"] = "version = :v"
            request["ExpressionAttributeValues"] = {":v": {"N": str(if_version)}}
        try:
            self._ddb.put_item(**request)
        except self._ddb.exceptions.ConditionalCheckFailedException:
            raise Conflict("this item was changed by someone else in the meantime: reload it and try again") from None
        return {**body, "version": version}

    def put_many(self, tenant_id: str, items: dict[str, dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": {**self._key(tenant_id, key), "version": {"N": "1"},
                                             "body": {"S": json.dumps(body)}}}} for key, body in items.items()]
        self._batch(requests)

    def delete_many(self, tenant_id: str, keys: list[str]) -> None:
        self._batch([{"DeleteRequest": {"Key": self._key(tenant_id, key)}} for key in keys])

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

    def _batch(self, requests: list[dict[str, Any]]) -> None:
        for i in range(0, len(requests), 25):
            pending = {self._table: requests[i : i + 25]}
            while pending:
                pending = self._ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    @staticmethod
    def _body(item: dict[str, Any]) -> dict[str, Any]:
        return {**json.loads(item["body"]["S"]), "version": int(item["version"]["N"]), "item_key": item["item_key"]["S"]}
