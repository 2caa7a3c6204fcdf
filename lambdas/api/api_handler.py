"""API Lambda entry point (API Gateway REST proxy -> Mangum -> FastAPI).

Kept light for cold starts: no pandas, numpy or pyarrow; services are built once per container and
their AWS clients on first use (benchmarks/api_cold_start.py measures it).
"""

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from smartretail.settings import ApiSettings

from api_app import create_app
from api_services import build_services

# Most requests record no business metric; an empty flush is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="smartretail-api")
metrics = Metrics(namespace="SmartRetail", service="smartretail-api")
settings = ApiSettings.from_env()


def _traced(handler):
    """powertools Tracer when the stage asks for SDK tracing: its X-Ray SDK import costs ~150-200 ms
    of cold start, while Lambda active tracing traces every request without it."""
    if not settings.SDK_TRACING:
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer(service="smartretail-api", patch_modules=("botocore",)).capture_lambda_handler(handler)


app = create_app(build_services(settings), logger)
_asgi = Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@_traced
@metrics.log_metrics
def handler(event: dict, context: object) -> dict:
    return _asgi(event, context)
