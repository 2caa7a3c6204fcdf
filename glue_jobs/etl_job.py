"""Glue 5.0 entry point of the ETL: wires job arguments and S3 I/O to smartretail.etl.pipeline.

Arguments: --raw_bucket --cleaned_bucket --curated_bucket --tenant_id (a tenant or "all")
--base_currency [--fx_rates '{"USD": 0.92}'] [--run_id].
"""

import json
import sys
import uuid

from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.etl.pipeline import DATASETS, run_etl
from smartretail.lake import accepted_keys, publish_quality_report, tenants_with_accepted_rows

REQUIRED = ["raw_bucket", "cleaned_bucket", "curated_bucket", "tenant_id", "base_currency"]


def _optional(name: str, default: str) -> str:
    return getResolvedOptions(sys.argv, [name])[name] if f"--{name}" in sys.argv else default


def main() -> None:
    args = getResolvedOptions(sys.argv, REQUIRED)
    fx_rates = json.loads(_optional("fx_rates", "{}"))
    run_id = _optional("run_id", uuid.uuid4().hex)
    spark = GlueContext(SparkContext.getOrCreate()).spark_session
    lake = S3ObjectStore()
    tenants = tenants_with_accepted_rows(lake, args["raw_bucket"]) if args["tenant_id"] == "all" else [args["tenant_id"]]
    for tenant in tenants:
        inputs = {
            dataset: [f"s3://{args['raw_bucket']}/{key}" for key in keys]
            for dataset, keys in accepted_keys(lake, args["raw_bucket"], tenant, DATASETS).items()
        }
        report = run_etl(
            spark, tenant, inputs, f"s3://{args['cleaned_bucket']}", f"s3://{args['curated_bucket']}",
            args["base_currency"], fx_rates, run_id,
        )
        publish_quality_report(lake, args["curated_bucket"], tenant, run_id, report.to_json())


if __name__ == "__main__":
    main()
