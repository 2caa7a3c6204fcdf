"""Forecasting: the tables the API serves forecasts and model versions from.

Forecast items are keyed `tenant#store#sku` / date, so one query returns a series and every key
starts with the caller's tenant. Model versions are keyed by tenant / version with their backtest.
"""

from aws_cdk import RemovalPolicy, aws_dynamodb as dynamodb
from constructs import Construct


def _table(scope: Construct, construct_id: str, partition: str, sort: str) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
        removal_policy=RemovalPolicy.RETAIN,
    )


class ForecastingConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.forecasts_table = _table(self, "ForecastsTable", "series", "date")
        self.models_table = _table(self, "ModelsTable", "tenant_id", "model_version")
