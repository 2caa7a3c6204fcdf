"""API Lambda entry point (API Gateway REST proxy -> Mangum -> FastAPI).

Kept light for cold starts: no pandas, numpy or pyarrow; AWS clients are created once here.
"""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from smartretail.settings import ApiSettings

from api_app import create_app
from api_services import build_services

# Most requests record no business metric; an empty flush is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="smartretail-api")
metrics = Metrics(namespace="SmartRetail", service="smartretail-api")
# Only AWS SDK calls are worth tracing here; patching every supported library costs cold-start time.
tracer = Tracer(service="smartretail-api", patch_modules=("botocore",))

settings = ApiSettings.from_env()
app = create_app(build_services(settings), logger)
_asgi = Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: object) -> dict:
    return _asgi(event, context)
