"""Spark schemas of the accepted rows the validation Lambda writes: each contract's columns, typed as
the contract parses them, plus lineage. Derived from the contracts, so the two cannot drift apart."""

from pyspark.sql.types import BooleanType, DataType, DoubleType, LongType, StringType, StructField, StructType

from ..contracts import CONTRACTS, Kind

# Dates are written as ISO strings and currencies as codes: both stay strings in Spark.
_SPARK_TYPES: dict[Kind, type[DataType]] = {
    Kind.STRING: StringType, Kind.CURRENCY: StringType, Kind.DATE: StringType, Kind.TIMESTAMP: StringType,
    Kind.DECIMAL: DoubleType, Kind.INTEGER: LongType, Kind.BOOLEAN: BooleanType,
}
_LINEAGE = [
    StructField("upload_id", StringType()),
    StructField("ingested_at", StringType()),
    StructField("row_number", LongType()),
]

ACCEPTED_SCHEMAS = {
    dataset: StructType([StructField(c.name, _SPARK_TYPES[c.kind]()) for c in contract.columns] + _LINEAGE)
    for dataset, contract in CONTRACTS.items() if contract.cleaned_by_etl
}
