"""Loader Lambda: the training pipeline's LoadInsights and LoadForecasts steps.

Event: {"tenant_id", "model_version", "part"}. part "insights": the run's positions and elasticities
(written by the training job) into the decisions table. part "forecasts": the run's decision document
and batch forecast output into the forecasts table, then the version marked live. After either, each
store's recommendations are ranked into the results cache, so the first request finds them.
"""

from typing import Literal

from aws_lambda_powertools import Logger, Tracer

from smartretail.adapters.aws_dynamodb import DynamoForecastStore, DynamoItemStore, DynamoModelRegistry, DynamoResultCache
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.insights import store as insights
from smartretail.forecasting.artefacts import TrainingRun
from smartretail.forecasting.publishing import publish_run
from smartretail.models import RunRequest
from smartretail.pricing.service import PricingService
from smartretail.settings import ForecastLoaderSettings
from smartretail.tenant_policy import TenantPolicyStore

logger = Logger(service="smartretail-forecast-loader")
tracer = Tracer(service="smartretail-forecast-loader")

settings = ForecastLoaderSettings.from_env()
objects = S3ObjectStore()
forecasts = DynamoForecastStore(settings.FORECASTS_TABLE)
registry = DynamoModelRegistry(settings.MODELS_TABLE)
decisions = DynamoItemStore(settings.DECISIONS_TABLE)
# Ranking reads the tenant's policy (never writes it: no audit trail needed here).
pricing = (PricingService(decisions, forecasts, registry, TenantPolicyStore(decisions, audit=None),
                          DynamoResultCache(settings.RESULTS_CACHE_TABLE)) if settings.RESULTS_CACHE_TABLE else None)


class LoadRequest(RunRequest):
    part: Literal["forecasts", "insights"] = "forecasts"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    request = LoadRequest.model_validate(event)
    logger.append_keys(tenant_id=request.tenant_id, model_version=request.model_version)
    run = TrainingRun(request.tenant_id, request.model_version)
    if request.part == "insights":
        result = insights.load_run(objects, settings.ARTIFACTS_BUCKET, run, decisions)
    else:
        result = publish_run(objects, settings.ARTIFACTS_BUCKET, run, forecasts, registry)
    if pricing is not None:
        try:
            result = {**result, "recommendations_ranked": pricing.warm(request.tenant_id)}
        except Exception:  # noqa: BLE001 - the run is loaded; unranked stores are ranked on their first request
            logger.exception("ranking the stores' recommendations ahead of time failed")
            result = {**result, "recommendations_ranked": 0}
    logger.info(f"{request.part} loaded", extra=result)
    return result
