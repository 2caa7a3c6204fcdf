"""UploadRepository on one DynamoDB table (pk tenant_id, sk upload_id).

Besides upload records, the table holds two kinds of marker items under the same tenant key:
`idem#<key>` (an Idempotency-Key seen) and `content#<dataset>#<sha256>` (a file content seen).
"""

import json
from typing import Any

from ..models import UploadRecord
from .aws_clients import LazyClient

_UPLOAD_PREFIX = "up_"


def _to_item(record: UploadRecord) -> dict[str, Any]:
    return {
        "tenant_id": {"S": record.tenant_id},
        "upload_id": {"S": record.upload_id},
        "status": {"S": record.status.value},
        "created_at": {"S": record.created_at},
        "body": {"S": record.model_dump_json()},
    }


def _from_item(item: dict[str, Any]) -> UploadRecord:
    return UploadRecord.model_validate(json.loads(item["body"]["S"]))


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

    def save(self, record: UploadRecord) -> None:
        self._ddb.put_item(TableName=self._table, Item=_to_item(record))

    def list(self, tenant_id: str, limit: int) -> list[UploadRecord]:
        response = self._ddb.query(
            TableName=self._table,
            KeyConditionExpression="tenant_id = :t AND begins_with(upload_id, :p)",
            ExpressionAttributeValues={":t": {"S": tenant_id}, ":p": {"S": _UPLOAD_PREFIX}},
            Limit=limit,
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
