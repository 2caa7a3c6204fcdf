"""Glue 5.0 entry point of the ETL: wires job arguments and S3 I/O to smartretail.etl.pipeline.

Arguments: --raw_bucket --cleaned_bucket --curated_bucket --tenant_id (a tenant or "all")
--base_currency [--fx_rates '{"USD": 0.92}'] [--run_id].
"""

import json
import sys
import uuid

import boto3
from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from smartretail.etl.pipeline import DATASETS, run_etl
from smartretail.lake import accepted_prefix

REQUIRED = ["raw_bucket", "cleaned_bucket", "curated_bucket", "tenant_id", "base_currency"]


def _optional(name: str, default: str) -> str:
    return getResolvedOptions(sys.argv, [name])[name] if f"--{name}" in sys.argv else default


def _tenants(s3, bucket: str, requested: str) -> list[str]:
    if requested != "all":
        return [requested]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="accepted/", Delimiter="/")
    return sorted(p["Prefix"].split("/")[1] for page in pages for p in page.get("CommonPrefixes", []))


def main() -> None:
    args = getResolvedOptions(sys.argv, REQUIRED)
    fx_rates = json.loads(_optional("fx_rates", "{}"))
    run_id = _optional("run_id", uuid.uuid4().hex)
    spark = GlueContext(SparkContext.getOrCreate()).spark_session
    s3 = boto3.client("s3")
    for tenant in _tenants(s3, args["raw_bucket"], args["tenant_id"]):
        inputs = {}
        for dataset in DATASETS:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=args["raw_bucket"], Prefix=accepted_prefix(tenant, dataset))
            inputs[dataset] = [f"s3://{args['raw_bucket']}/{o['Key']}" for page in pages for o in page.get("Contents", [])]
        report = run_etl(
            spark, tenant, inputs, f"s3://{args['cleaned_bucket']}", f"s3://{args['curated_bucket']}",
            args["base_currency"], fx_rates, run_id,
        )
        s3.put_object(
            Bucket=args["curated_bucket"], Key=f"quality/tenant_id={tenant}/run_id={run_id}/report.json",
            Body=report.to_json().encode(), ContentType="application/json",
        )


if __name__ == "__main__":
    main()
