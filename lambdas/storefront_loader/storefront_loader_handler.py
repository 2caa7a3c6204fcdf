"""Loader Lambda: the storefront training pipeline's LoadLists step.

Event: {"tenant_id", "model_version"}. Reads the training job's artefact
(models/<tenant>/<version>/output/model.tar.gz), promotes the run into the serving table and its
catalogue into the search index where its backtest does not lose to popularity (see
smartretail.storefront.publishing), and answers what it did for the state machine's Choice.
"""

from aws_lambda_powertools import Logger, Tracer

from smartretail.adapters.aws_dynamodb import DynamoItemStore
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.adapters.search_index import search_index
from smartretail.models import RunRequest
from smartretail.settings import StorefrontLoaderSettings
from smartretail.storefront.publishing import load_run, publish_run, run_artefact_key

logger = Logger(service="smartretail-storefront-loader")
tracer = Tracer(service="smartretail-storefront-loader")

settings = StorefrontLoaderSettings.from_env()
objects = S3ObjectStore()
serving = DynamoItemStore(settings.STOREFRONT_TABLE)
search = search_index(settings, objects)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    request = RunRequest.model_validate(event)
    logger.append_keys(tenant_id=request.tenant_id, model_version=request.model_version)
    key = run_artefact_key(request.tenant_id, request.model_version)
    archive = objects.read_if_exists(settings.ARTIFACTS_BUCKET, key)
    if archive is None:
        raise FileNotFoundError(f"the training job left no artefact at s3://{settings.ARTIFACTS_BUCKET}/{key}")
    run = load_run(archive)
    if run.summary.get("tenant_id") != request.tenant_id:
        raise ValueError(f"the artefact at {key} belongs to another tenant")
    summary = publish_run(serving, request.tenant_id, run, search)
    logger.info("storefront run loaded", extra={"promoted": summary["promoted"], "reason": summary["promotion_reason"],
                                                "lists": len(run.records),
                                                "catalog_indexed": summary.get("catalog_indexed", 0)})
    return {"status": "published" if summary["promoted"] else "not_promoted", "reason": summary["promotion_reason"],
            "events": summary.get("events", 0), "lists": summary.get("lists", 0), "backtest": summary.get("backtest")}
