"""ETL throughput on real data: Rossmann's ~1M daily store sales rows, through the validation
Lambda's logic and then the Glue ETL transforms on local Spark (local[*] on this machine).

    .venv/bin/python -m benchmarks.etl_throughput [--limit N]
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ._results import SHARED_DATA, write_result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="use only the first N rows (0 = all)")
    args = parser.parse_args()

    from smartretail.adapters.memory import MemoryObjectStore, MemoryUploadRepository
    from smartretail.demo.loaders import SALES_HEADER, rossmann_sales, write_csv
    from smartretail.etl.pipeline import local_spark, run_etl
    from smartretail.ingestion.uploads import UploadLimits, UploadService
    from smartretail.ingestion.validation import ValidationService

    work = Path(tempfile.mkdtemp(prefix="etl-bench-"))
    try:
        rows = rossmann_sales(SHARED_DATA / "rossmann")
        if args.limit:
            rows = (r for i, r in zip(range(args.limit), rows))
        csv_path = work / "rossmann-sales.csv"
        total = write_csv(csv_path, SALES_HEADER, rows)

        # 1. The validation Lambda's logic on the whole file (in-memory object store).
        store, repo = MemoryObjectStore(), MemoryUploadRepository()
        slot = UploadService(store, repo, "raw", UploadLimits(1 << 30, 60)).create("bench", "u", "sales", csv_path.name, None, None)
        record = repo.get("bench", slot["upload_id"])
        store.put_bytes("raw", record.key, csv_path.read_bytes())
        started = time.perf_counter()
        record = ValidationService(store, repo, "raw").handle_object_created("raw", record.key)
        validation_s = time.perf_counter() - started
        accepted = work / "accepted.jsonl"
        accepted.write_bytes(store.objects[("raw", record.accepted_key)])

        # 2. The ETL job's transforms on local Spark: accepted rows -> cleaned -> curated Parquet.
        spark = local_spark("etl-benchmark")
        try:
            started = time.perf_counter()
            report = run_etl(spark, "bench", {"sales": [str(accepted)]}, str(work / "cleaned"), str(work / "curated"),
                             "EUR", {}, "benchmark")
            etl_s = time.perf_counter() - started
        finally:
            spark.stop()
        partitions = len(list((work / "curated" / "sales_daily" / "tenant_id=bench").glob("dt=*")))
        write_result(
            "etl_throughput",
            f"../shared/data/rossmann/train.csv via the sales loader ({total} rows, 2013-01-01..2015-06-19)",
            {"smartretail": {
                "rows_per_second": round(total / etl_s),
                "etl_seconds": round(etl_s, 1),
                "validation_rows_per_second": round(total / validation_s),
                "validation_seconds": round(validation_s, 1),
            }},
            rows_in=total,
            rows_accepted=record.rows_accepted,
            rows_quarantined=record.rows_quarantined,
            curated_rows=report.outputs["curated.sales_daily"],
            curated_date_partitions=partitions,
            spark="local[*], shuffle partitions 8, driver memory 4g",
            notes="ETL time covers reading accepted JSON Lines, cleaning (dedupe, forward fill, winsorize), writing "
                  "cleaned and curated Parquet and the counts of the quality report; Spark start-up is excluded.",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
