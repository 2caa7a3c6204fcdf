"""Validation Lambda: S3 "Object Created" (via EventBridge) -> check the file against its contract."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from smartretail.adapters.aws_dynamodb import DynamoUploadRepository
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.ingestion.validation import ValidationService
from smartretail.settings import ValidationSettings

logger = Logger(service="smartretail-ingest-validation")
metrics = Metrics(namespace="SmartRetail", service="smartretail-ingest-validation")
tracer = Tracer(service="smartretail-ingest-validation")

settings = ValidationSettings.from_env()
service = ValidationService(S3ObjectStore(), DynamoUploadRepository(settings.UPLOADS_TABLE), settings.RAW_BUCKET)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    detail = event.get("detail", {})
    bucket, key = detail.get("bucket", {}).get("name"), detail.get("object", {}).get("key")
    # Lambda retries an asynchronous event with the same request id: the retry may take its own claim back.
    record = service.handle_object_created(bucket, key, context.aws_request_id) if bucket and key else None
    if record is None:
        logger.warning("ignored object that is not a pending upload", extra={"key": key})
        return {"status": "ignored"}
    logger.append_keys(tenant_id=record.tenant_id, upload_id=record.upload_id)
    logger.info(
        "upload validated",
        extra={"status": record.status.value, "rows_accepted": record.rows_accepted, "rows_quarantined": record.rows_quarantined},
    )
    metrics.add_metric(name="RowsAccepted", unit=MetricUnit.Count, value=record.rows_accepted)
    metrics.add_metric(name="RowsQuarantined", unit=MetricUnit.Count, value=record.rows_quarantined)
    return {"status": record.status.value, "upload_id": record.upload_id}
