"""Spark schemas of the accepted rows the validation Lambda writes (contract columns + lineage)."""

from pyspark.sql.types import BooleanType, DoubleType, LongType, StringType, StructField, StructType

_LINEAGE = [
    StructField("upload_id", StringType()),
    StructField("ingested_at", StringType()),
    StructField("row_number", LongType()),
]


def _schema(*fields: StructField) -> StructType:
    return StructType(list(fields) + _LINEAGE)


ACCEPTED_SCHEMAS = {
    "sales": _schema(
        StructField("date", StringType()), StructField("store_id", StringType()), StructField("sku_id", StringType()),
        StructField("units", DoubleType()), StructField("price", DoubleType()), StructField("promo_flag", BooleanType()),
        StructField("currency", StringType()), StructField("source_event_id", StringType()),
    ),
    "inventory": _schema(
        StructField("date", StringType()), StructField("store_id", StringType()), StructField("sku_id", StringType()),
        StructField("on_hand", LongType()), StructField("on_order", LongType()), StructField("lead_time_days", LongType()),
    ),
    "products": _schema(
        StructField("sku_id", StringType()), StructField("name", StringType()), StructField("category", StringType()),
        StructField("brand", StringType()), StructField("unit_cost", DoubleType()), StructField("list_price", DoubleType()),
        StructField("min_margin_pct", DoubleType()), StructField("currency", StringType()),
    ),
    "competitor-prices": _schema(
        StructField("date", StringType()), StructField("sku_id", StringType()), StructField("competitor", StringType()),
        StructField("price", DoubleType()), StructField("store_id", StringType()), StructField("currency", StringType()),
    ),
}
