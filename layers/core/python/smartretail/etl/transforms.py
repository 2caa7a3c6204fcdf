"""Cleaning and curation rules as plain DataFrame -> DataFrame functions (unit-tested on local Spark).

Rules (docs/data-platform.md): IDs trimmed and upper-cased; dates ISO-8601 (already enforced by the
contract); one base currency; dedupe by (date, sku_id, store_id, source_event_id) keeping the latest
upload; price forward-filled within SKU x store and flagged `imputed_price`; inventory on hand never
imputed; daily units winsorized at the 99th percentile per SKU except on promotion days.
"""

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from .quality import QualityReport

WINSOR_QUANTILE = 0.99


def normalise_ids(df: DataFrame, *columns: str) -> DataFrame:
    for column in columns:
        df = df.withColumn(column, F.upper(F.trim(F.col(column))))
    return df


def keep_latest(df: DataFrame, keys: list[str]) -> DataFrame:
    """One row per key: the one from the most recent upload (then the last row in that file)."""
    order = Window.partitionBy(*keys).orderBy(F.col("ingested_at").desc(), F.col("row_number").desc())
    return df.withColumn("_rank", F.row_number().over(order)).filter("_rank = 1").drop("_rank")


def to_base_currency(df: DataFrame, price_columns: list[str], base_currency: str, fx_rates: dict[str, float]) -> tuple[DataFrame, DataFrame]:
    """(rows converted to the base currency, rows in a currency without a known rate)."""
    rates = {base_currency: 1.0, **{k.upper(): float(v) for k, v in fx_rates.items()}}
    mapping = F.create_map(*[x for code, rate in rates.items() for x in (F.lit(code), F.lit(rate))])
    df = df.withColumn("currency", F.upper(F.coalesce(F.col("currency"), F.lit(base_currency))))
    df = df.withColumn("_rate", mapping[F.col("currency")])
    unknown = df.filter(F.col("_rate").isNull()).drop("_rate")
    known = df.filter(F.col("_rate").isNotNull())
    for column in price_columns:
        known = known.withColumn(column, F.round(F.col(column) * F.col("_rate"), 4))
    return known.withColumn("currency", F.lit(base_currency)).drop("_rate"), unknown


def clean_sales(df: DataFrame, base_currency: str, fx_rates: dict[str, float], report: QualityReport) -> DataFrame:
    total = df.count()
    df = normalise_ids(df, "store_id", "sku_id").withColumn(
        "source_event_id", F.coalesce(F.trim(F.col("source_event_id")), F.lit(""))
    )
    df, unknown = to_base_currency(df, ["price"], base_currency, fx_rates)
    report.add("sales", "currency_convertible_to_base", total, unknown.count())
    before = df.count()
    df = keep_latest(df, ["date", "sku_id", "store_id", "source_event_id"])
    report.add("sales", "unique_date_sku_store_event", before, before - df.count())
    series = Window.partitionBy("sku_id", "store_id").orderBy("date", "source_event_id").rowsBetween(Window.unboundedPreceding, 0)
    df = df.withColumn("imputed_price", F.col("price").isNull()).withColumn(
        "price", F.last("price", ignorenulls=True).over(series)
    )
    missing = df.filter("imputed_price").count()
    report.add("sales", "price_present_or_forward_filled", missing, df.filter(F.col("price").isNull()).count())
    df = df.withColumn("imputed_price", F.col("imputed_price") & F.col("price").isNotNull())
    return df.withColumn("promo_flag", F.coalesce(F.col("promo_flag"), F.lit(False)))


def clean_inventory(df: DataFrame, report: QualityReport) -> DataFrame:
    total = df.count()
    df = keep_latest(normalise_ids(df, "store_id", "sku_id"), ["date", "sku_id", "store_id"])
    report.add("inventory", "unique_date_sku_store", total, total - df.count())
    # Unknown stock stays unknown: such rows are kept but excluded from reorder logic downstream.
    report.add("inventory", "on_hand_known", df.count(), df.filter(F.col("on_hand").isNull()).count())
    return df


def clean_products(df: DataFrame, base_currency: str, fx_rates: dict[str, float], report: QualityReport) -> DataFrame:
    total = df.count()
    df = normalise_ids(df, "sku_id").withColumn("category", F.trim("category")).withColumn("brand", F.trim("brand"))
    df, unknown = to_base_currency(df, ["unit_cost", "list_price", "min_price", "max_price", "map_price"], base_currency, fx_rates)
    report.add("products", "currency_convertible_to_base", total, unknown.count())
    before = df.count()
    df = keep_latest(df, ["sku_id"])
    report.add("products", "unique_sku", before, before - df.count())
    return df


def clean_competitor_prices(df: DataFrame, base_currency: str, fx_rates: dict[str, float], report: QualityReport) -> DataFrame:
    total = df.count()
    df = normalise_ids(df, "sku_id", "store_id").withColumn("competitor", F.trim("competitor"))
    df = df.withColumn("store_id", F.coalesce(F.col("store_id"), F.lit("")))
    df, unknown = to_base_currency(df, ["price"], base_currency, fx_rates)
    report.add("competitor_prices", "currency_convertible_to_base", total, unknown.count())
    before = df.count()
    df = keep_latest(df, ["date", "sku_id", "competitor", "store_id"])
    report.add("competitor_prices", "unique_date_sku_competitor_store", before, before - df.count())
    return df


def daily_sales(sales: DataFrame) -> DataFrame:
    """Transactions -> one row per (date, store, SKU) with units, revenue and average price."""
    return sales.groupBy("date", "store_id", "sku_id").agg(
        F.sum("units").alias("units"),
        F.sum(F.col("units") * F.col("price")).alias("revenue"),
        F.max(F.col("price")).alias("_last_price"),
        F.max("promo_flag").alias("promo_flag"),
        F.max("imputed_price").alias("imputed_price"),
    ).withColumn(
        "price", F.when(F.col("units") > 0, F.col("revenue") / F.col("units")).otherwise(F.col("_last_price"))
    ).drop("_last_price")


def winsorize_units(daily: DataFrame, report: QualityReport) -> DataFrame:
    """`units_clean`: units capped at the SKU's 99th percentile of non-promotion days."""
    caps = daily.filter(~F.col("promo_flag")).groupBy("sku_id").agg(
        F.percentile_approx("units", WINSOR_QUANTILE, 1000).alias("_cap")
    )
    daily = daily.join(caps, "sku_id", "left")
    capped = F.when(F.col("promo_flag") | F.col("_cap").isNull(), F.col("units")).otherwise(F.least("units", "_cap"))
    daily = daily.withColumn("units_clean", capped)
    report.add("sales_daily", "units_within_p99_or_promo", daily.count(), daily.filter(F.col("units_clean") < F.col("units")).count())
    return daily.drop("_cap")


def curate_sales_daily(sales: DataFrame, inventory: DataFrame, products: DataFrame, base_currency: str,
                       report: QualityReport) -> DataFrame:
    """The curated fact KPIs and forecasting read: sales, stock and product attributes per day."""
    daily = winsorize_units(daily_sales(sales), report)
    stock = inventory.select("date", "store_id", "sku_id", "on_hand")
    fact = daily.join(stock, ["date", "store_id", "sku_id"], "full_outer")
    attributes = products.select("sku_id", "category", "brand", "unit_cost")
    fact = fact.join(attributes, "sku_id", "left")
    report.add("sales_daily", "sku_in_product_master", fact.count(), fact.filter(F.col("category").isNull()).count())
    return fact.select(
        "store_id",
        "sku_id",
        F.coalesce("category", F.lit("UNCATEGORISED")).alias("category"),
        "brand",
        F.coalesce("units", F.lit(0.0)).alias("units"),
        F.coalesce("units_clean", F.lit(0.0)).alias("units_clean"),
        "price",
        F.coalesce("revenue", F.lit(0.0)).alias("revenue"),
        F.coalesce("promo_flag", F.lit(False)).alias("promo_flag"),
        F.coalesce("imputed_price", F.lit(False)).alias("imputed_price"),
        "on_hand",
        F.when(F.col("on_hand").isNull(), F.lit(None).cast("boolean")).otherwise(F.col("on_hand") <= 0).alias("stockout"),
        F.lit(base_currency).alias("currency"),
        F.col("unit_cost").cast("double").alias("unit_cost"),  # margin and stock value at cost (null when unknown)
        F.col("date").alias("dt"),
    )
