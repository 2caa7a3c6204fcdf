"""ForecastStore and ModelRegistry on DynamoDB (tables of ForecastingConstruct)."""

import json
from decimal import Decimal
from typing import Any

from .aws_clients import LazyClient

LIVE_POINTER = "#live"  # the live version's pointer item; the training pipeline reads it


def _series_key(tenant_id: str, store_id: str, sku_id: str) -> str:
    return f"{tenant_id}#{store_id}#{sku_id}"


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
        for i in range(0, len(requests), 25):
            pending = {self._table: requests[i : i + 25]}
            while pending:
                pending = self._ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


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
