"""QueryEngine for the local stack: DuckDB over the same curated Parquet files Athena reads.

Files are mirrored from the (emulated) curated bucket into a local cache before each query; only
changed objects are downloaded. With `keep_mirrored`, a background thread also follows the bucket, so
the first query after an ETL run finds its files already downloaded.
"""

import logging
import os
import threading
import time
from typing import Any, Sequence

from .aws_clients import LazyClient, translates_errors

TABLES = ("sales_daily",)
# Columns a table gained after files were written: Athena reads them as null from older files (the
# Glue schema names them), and so does this.
ADDED_COLUMNS = {"sales_daily": {"unit_cost": "DOUBLE"}}


@translates_errors("Athena")
class LocalDuckDbQueryEngine:
    _s3 = LazyClient("s3")

    def __init__(self, curated_bucket: str, cache_dir: str, s3: Any | None = None):
        self._bucket = curated_bucket
        self._cache = cache_dir
        self._client = s3
        self._lock = threading.Lock()
        self._seen: dict[str, str] = {}

    def _mirror(self, table: str) -> str:
        root = os.path.join(self._cache, table)
        paginator = self._s3.get_paginator("list_objects_v2")
        present: set[str] = set()
        for page in paginator.paginate(Bucket=self._bucket, Prefix=f"{table}/"):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if not key.endswith(".parquet"):
                    continue
                present.add(key)
                target = os.path.join(self._cache, key)
                if self._seen.get(key) != obj["ETag"] or not os.path.exists(target):
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    self._s3.download_file(self._bucket, key, target)
                    self._seen[key] = obj["ETag"]
        # The cache must hold exactly what the bucket holds: drop files a later ETL run replaced
        # and anything left by an earlier process.
        for folder, _, files in os.walk(root):
            for name in files:
                key = os.path.relpath(os.path.join(folder, name), self._cache).replace(os.sep, "/")
                if key not in present:
                    os.remove(os.path.join(folder, name))
                    self._seen.pop(key, None)
        return root

    def keep_mirrored(self, every_seconds: float) -> None:
        def follow() -> None:
            while True:
                try:
                    with self._lock:
                        for table in TABLES:
                            self._mirror(table)
                except Exception as exc:  # noqa: BLE001 - the emulator restarting: the next round (or a query) tries again
                    logging.getLogger(__name__).debug("mirroring the curated bucket failed: %s", exc)
                time.sleep(every_seconds)

        threading.Thread(target=follow, name="curated-mirror", daemon=True).start()

    def query(self, sql: str, parameters: Sequence[str]) -> list[dict[str, Any]]:
        import duckdb

        with self._lock:
            con = duckdb.connect()
            try:
                for table in TABLES:
                    root = self._mirror(table)
                    if not any(f.endswith(".parquet") for _, _, fs in os.walk(root) for f in fs):
                        return []
                    con.execute(
                        f"CREATE VIEW {table}_files AS SELECT * FROM read_parquet("
                        f"'{root}/**/*.parquet', hive_partitioning = true, union_by_name = true, "
                        "hive_types = {'tenant_id': VARCHAR, 'dt': VARCHAR})"
                    )
                    present = {row[0] for row in con.execute(f"DESCRIBE {table}_files").fetchall()}
                    missing = [f"CAST(NULL AS {kind}) AS {name}" for name, kind in ADDED_COLUMNS.get(table, {}).items()
                               if name not in present]
                    con.execute(f"CREATE VIEW {table} AS SELECT *{''.join(', ' + m for m in missing)} FROM {table}_files")
                statement = sql.replace("{sales_daily}", "sales_daily")
                cursor = con.execute(statement, list(parameters))
                columns = [d[0] for d in cursor.description]
                return [dict(zip(columns, row)) for row in cursor.fetchall()]
            finally:
                con.close()
