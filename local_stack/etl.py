"""Run the Glue ETL job of the template locally: the same pipeline on local Spark.

Local Spark cannot reach the emulated S3 (no S3A connector offline), so inputs are downloaded to a
work directory and outputs uploaded back, replacing the tenant's previous outputs as the job does.
"""

import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import boto3

from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.lake import accepted_prefix, publish_quality_report, tenants_with_accepted_rows

from .template import Template


def job_arguments(t: Template) -> dict[str, str]:
    jobs = t.resources("AWS::Glue::Job")
    (job,) = jobs.values()
    args = t.resolve(job["Properties"]["DefaultArguments"])
    return {k.lstrip("-"): v for k, v in args.items()}


def download_prefix(s3: Any, bucket: str, prefix: str, target: Path) -> list[Path]:
    """Copy every object under s3://bucket/prefix to target/<rest of the key>; the local files."""
    files = []
    for key in S3ObjectStore(s3).keys(bucket, prefix):
        path = target / key[len(prefix):]
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        files.append(path)
    return files


def _replace_prefix(s3: Any, bucket: str, prefix: str, local_root: Path) -> int:
    """Make s3://bucket/prefix hold exactly the files under local_root (Parquet outputs)."""
    stale = [{"Key": key} for key in S3ObjectStore(s3).keys(bucket, prefix)]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale[i : i + 1000], "Quiet": True})
    uploaded = 0
    for path in local_root.rglob("*.parquet"):
        s3.upload_file(str(path), bucket, prefix + path.relative_to(local_root).as_posix())
        uploaded += 1
    return uploaded


def run_local_etl(t: Template, tenant_id: str = "all", spark: Any = None, fx_rates: dict | None = None) -> list[dict]:
    from smartretail.etl.pipeline import CLEANED_TABLES, DATASETS, local_spark, run_etl

    args = job_arguments(t)
    s3 = boto3.client("s3")
    spark = spark or local_spark()
    tenants = tenants_with_accepted_rows(S3ObjectStore(s3), args["raw_bucket"]) if tenant_id == "all" else [tenant_id]
    run_id = uuid.uuid4().hex
    reports = []
    for tenant in tenants:
        with tempfile.TemporaryDirectory(prefix="smartretail-etl-") as work:
            root = Path(work)
            inputs = {
                dataset: [str(p) for p in download_prefix(s3, args["raw_bucket"], accepted_prefix(tenant, dataset), root / "in" / dataset)]
                for dataset in DATASETS
            }
            report = run_etl(
                spark, tenant, inputs, str(root / "cleaned"), str(root / "curated"), args["base_currency"],
                fx_rates or json.loads(args.get("fx_rates", "{}")), run_id,
            )
            for table in CLEANED_TABLES.values():
                _replace_prefix(s3, args["cleaned_bucket"], f"{table}/tenant_id={tenant}/", root / "cleaned" / table / f"tenant_id={tenant}")
            _replace_prefix(s3, args["curated_bucket"], f"sales_daily/tenant_id={tenant}/", root / "curated" / "sales_daily" / f"tenant_id={tenant}")
            publish_quality_report(S3ObjectStore(s3), args["curated_bucket"], tenant, run_id, report.to_json())
            reports.append(json.loads(report.to_json()))
    return reports
