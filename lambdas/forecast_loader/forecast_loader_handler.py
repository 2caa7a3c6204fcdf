"""Loader Lambda: the training pipeline's LoadInsights and LoadForecasts steps.

Event: {"tenant_id", "model_version", "part"}. part "insights": the run's positions and elasticities
(written by the training job) into the decisions table. part "forecasts": the run's decision document
and batch forecast output into the forecasts table, then the version marked live.
"""

from aws_lambda_powertools import Logger, Tracer
import json
from typing import Literal

from pydantic import BaseModel, field_validator

from smartretail.adapters.aws_clients import client
from smartretail.adapters.aws_forecasts import DynamoForecastStore, DynamoModelRegistry
from smartretail.adapters.aws_items import DynamoItemStore
from smartretail.adapters.aws_lake import read_json, read_lines_under
from smartretail.decisions import insights
from smartretail.forecasting.publishing import publish
from smartretail.lake import check_id, model_prefix
from smartretail.settings import ForecastLoaderSettings

logger = Logger(service="smartretail-forecast-loader")
tracer = Tracer(service="smartretail-forecast-loader")

settings = ForecastLoaderSettings.from_env()
forecasts = DynamoForecastStore(settings.FORECASTS_TABLE)
registry = DynamoModelRegistry(settings.MODELS_TABLE)
decisions = DynamoItemStore(settings.DECISIONS_TABLE)


class LoadRequest(BaseModel):
    tenant_id: str
    model_version: str
    part: Literal["forecasts", "insights"] = "forecasts"

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
    if request.part == "insights":
        elasticities = read_json(s3, settings.ARTIFACTS_BUCKET, prefix + "insights/elasticities.json")
        positions = [json.loads(line) for line in read_lines_under(s3, settings.ARTIFACTS_BUCKET, prefix + "insights/positions.jsonl")
                     if line.strip()]
        result = insights.replace(decisions, request.tenant_id, request.model_version, positions, elasticities)
        logger.info("insights loaded", extra=result)
        return result
    decision = read_json(s3, settings.ARTIFACTS_BUCKET, prefix + "decision.json")
    output = read_lines_under(s3, settings.ARTIFACTS_BUCKET, prefix + "forecasts/")
    result = publish(request.tenant_id, decision["record"], output, forecasts, registry)
    logger.info("forecasts published", extra=result)
    return {**result, "model_version": request.model_version}
