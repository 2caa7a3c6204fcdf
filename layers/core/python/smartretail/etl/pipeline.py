"""One ETL run for one tenant: accepted rows -> cleaned tables -> curated tables + quality report.

Paths are URIs (s3:// on Glue, local directories in the local stack and tests); the caller decides
where the inputs come from and where the outputs go.
"""

import os
from typing import Mapping, Sequence

from pyspark.sql import DataFrame, SparkSession

from .quality import QualityReport
from .schemas import ACCEPTED_SCHEMAS
from .transforms import clean_competitor_prices, clean_inventory, clean_products, clean_sales, curate_sales_daily

DATASETS = tuple(ACCEPTED_SCHEMAS)
CLEANED_TABLES = {"sales": "sales", "inventory": "inventory", "products": "products", "competitor-prices": "competitor_prices"}


def local_spark(app_name: str = "smartretail-etl", shuffle_partitions: int = 8) -> SparkSession:
    """A local[*] session configured like Glue 5.0 where it matters (UTC, Parquet, dynamic overwrite)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[*]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("SMARTRETAIL_SPARK_MEMORY", "4g"))
        .config("spark.sql.sources.partitionOverwriteMode", "static")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def read_accepted(spark: SparkSession, dataset: str, paths: Sequence[str]) -> DataFrame:
    schema = ACCEPTED_SCHEMAS[dataset]
    if not paths:
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).json(list(paths))


def run_etl(
    spark: SparkSession,
    tenant_id: str,
    inputs: Mapping[str, Sequence[str]],
    cleaned_root: str,
    curated_root: str,
    base_currency: str,
    fx_rates: Mapping[str, float],
    run_id: str,
) -> QualityReport:
    if not inputs.get("sales"):
        raise ValueError(f"tenant {tenant_id} has no accepted sales uploads: nothing to transform or train on")
    report = QualityReport(tenant_id=tenant_id, run_id=run_id)
    fx = dict(fx_rates)
    frames = {d: read_accepted(spark, d, inputs.get(d, ())) for d in DATASETS}
    cleaned = {
        "sales": clean_sales(frames["sales"], base_currency, fx, report).cache(),
        "inventory": clean_inventory(frames["inventory"], report).cache(),
        "products": clean_products(frames["products"], base_currency, fx, report).cache(),
        "competitor-prices": clean_competitor_prices(frames["competitor-prices"], base_currency, fx, report),
    }
    for dataset, frame in cleaned.items():
        table = CLEANED_TABLES[dataset]
        frame.write.mode("overwrite").parquet(f"{cleaned_root.rstrip('/')}/{table}/tenant_id={tenant_id}")
        report.outputs[f"cleaned.{table}"] = spark.read.parquet(f"{cleaned_root.rstrip('/')}/{table}/tenant_id={tenant_id}").count()

    curated = curate_sales_daily(cleaned["sales"], cleaned["inventory"], cleaned["products"], base_currency, report)
    target = f"{curated_root.rstrip('/')}/sales_daily/tenant_id={tenant_id}"
    curated.repartition("dt").write.mode("overwrite").partitionBy("dt").parquet(target)
    report.outputs["curated.sales_daily"] = spark.read.parquet(target).count()
    for frame in cleaned.values():
        frame.unpersist()
    return report
