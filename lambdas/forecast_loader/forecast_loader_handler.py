"""Forecast loader Lambda: the training pipeline's LoadForecasts step.

Event: {"tenant_id", "model_version"}. Reads the run's decision document and its batch forecast
output from the artifacts bucket, writes the forecasts table and marks the version live.
"""

from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel, field_validator

from smartretail.adapters.aws_clients import client
from smartretail.adapters.aws_forecasts import DynamoForecastStore, DynamoModelRegistry
from smartretail.adapters.aws_lake import read_json, read_lines_under
from smartretail.forecasting.publishing import publish
from smartretail.lake import check_id, model_prefix
from smartretail.settings import ForecastLoaderSettings

logger = Logger(service="smartretail-forecast-loader")
tracer = Tracer(service="smartretail-forecast-loader")

settings = ForecastLoaderSettings.from_env()
forecasts = DynamoForecastStore(settings.FORECASTS_TABLE)
registry = DynamoModelRegistry(settings.MODELS_TABLE)


class LoadRequest(BaseModel):
    tenant_id: str
    model_version: str

    @field_validator("tenant_id", "model_version")
    @classmethod
    def _safe(cls, value: str, info) -> str:
        return check_id(value, info.field_name)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    request = LoadRequest.model_validate(event)
    logger.append_keys(tenant_id=request.tenant_id, model_version=request.model_version)
    prefix = model_prefix(request.tenant_id, request.model_version)
    s3 = client("s3")
    decision = read_json(s3, settings.ARTIFACTS_BUCKET, prefix + "decision.json")
    output = read_lines_under(s3, settings.ARTIFACTS_BUCKET, prefix + "forecasts/")
    result = publish(request.tenant_id, decision["record"], output, forecasts, registry)
    logger.info("forecasts published", extra=result)
    return {**result, "model_version": request.model_version}
