"""Forecasting: the tables the API serves forecasts and model versions from.

Forecast items are keyed `tenant#store#sku` / date, so one query returns a series and every key
starts with the caller's tenant. Model versions are keyed by tenant / version with their backtest.
"""

from constructs import Construct

from .tables import tenant_table


class ForecastingConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.forecasts_table = tenant_table(self, "ForecastsTable", "series", "date")
        self.models_table = tenant_table(self, "ModelsTable", "tenant_id", "model_version")
