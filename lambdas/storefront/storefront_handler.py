"""Storefront Lambda entry point (API Gateway REST proxy -> Mangum -> FastAPI): /storefront/* only.

Logs carry the tenant, the operation and the correlation id, never a shopper's id or events."""

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from smartretail.settings import StorefrontSettings

from storefront_app import create_app
from storefront_services import build_services

warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="smartretail-storefront")
metrics = Metrics(namespace="SmartRetail", service="smartretail-storefront")
settings = StorefrontSettings.from_env()

app = create_app(build_services(settings), logger)
_asgi = Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
def handler(event: dict, context: object) -> dict:
    return _asgi(event, context)
