"""Forecasting: the tables the API serves forecasts and model versions from.

Forecast items are keyed `tenant#store#sku` / date, so one query returns a series and every key
starts with the caller's tenant. Model versions are keyed by tenant / version with their backtest.
"""

from aws_cdk import Stack, aws_iam as iam, aws_lambda as lambda_
from constructs import Construct

from ..config import StageConfig
from ..nag import acknowledge, wildcard_arn
from .tables import tenant_table


class ForecastingConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig):
        super().__init__(scope, construct_id)
        self.endpoint_prefix = config.forecast_endpoint_prefix
        self.forecasts_table = tenant_table(self, "ForecastsTable", "series", "date")
        self.models_table = tenant_table(self, "ModelsTable", "tenant_id", "model_version")

    def grant_api(self, fn: lambda_.Function) -> None:
        """Forecasts and model versions are written by the training pipeline; the API reads them and asks
        the tenants' model endpoints for on-demand forecasts."""
        fn.add_environment("FORECASTS_TABLE", self.forecasts_table.table_name)
        fn.add_environment("MODELS_TABLE", self.models_table.table_name)
        fn.add_environment("FORECAST_ENDPOINT_PREFIX", self.endpoint_prefix)
        self.forecasts_table.grant(fn, "dynamodb:Query")
        self.models_table.grant(fn, "dynamodb:Query")
        fn.add_to_role_policy(iam.PolicyStatement(
            actions=["sagemaker:InvokeEndpoint"],
            resources=[Stack.of(self).format_arn(service="sagemaker", resource="endpoint", resource_name=f"{self.endpoint_prefix}*")],
        ))
        acknowledge(fn, {wildcard_arn(self, "sagemaker", f"endpoint/{self.endpoint_prefix}*"):
                         "One serverless forecast endpoint per tenant, named with this stage's prefix; the API only invokes them."})
