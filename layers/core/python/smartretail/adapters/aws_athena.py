"""QueryEngine on Amazon Athena (workgroup enforces the result location and encryption)."""

import time
from typing import Any, Sequence

from .aws_clients import LazyClient, translates_errors

_DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@translates_errors("Athena")
class AthenaQueryEngine:
    _athena = LazyClient("athena")

    def __init__(self, database: str, workgroup: str, timeout_seconds: float = 25.0, athena: Any | None = None):
        self._database = database
        self._workgroup = workgroup
        self._timeout = timeout_seconds
        self._client = athena

    def query(self, sql: str, parameters: Sequence[str]) -> list[dict[str, Any]]:
        statement = sql.replace("{sales_daily}", f'"{self._database}"."sales_daily"')
        request: dict[str, Any] = {
            "QueryString": statement,
            "QueryExecutionContext": {"Database": self._database},
            "WorkGroup": self._workgroup,
        }
        if parameters:
            request["ExecutionParameters"] = [_literal(p) for p in parameters]
        execution_id = self._athena.start_query_execution(**request)["QueryExecutionId"]
        deadline, delay = time.monotonic() + self._timeout, 0.1
        while True:
            status = self._athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
            if status["State"] in _DONE:
                break
            if time.monotonic() > deadline:
                self._athena.stop_query_execution(QueryExecutionId=execution_id)
                raise TimeoutError(f"Athena query {execution_id} exceeded {self._timeout}s")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        if status["State"] != "SUCCEEDED":
            raise RuntimeError(f"Athena query {execution_id} {status['State']}: {status.get('StateChangeReason')}")
        rows: list[dict[str, Any]] = []
        columns: list[str] = []
        for page in self._athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
            result_rows = page["ResultSet"]["Rows"]
            if not columns:
                columns = [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
                result_rows = result_rows[1:]  # the header row
            for r in result_rows:
                rows.append({c: d.get("VarCharValue") for c, d in zip(columns, r["Data"])})
        return rows
