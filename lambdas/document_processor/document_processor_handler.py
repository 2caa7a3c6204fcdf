"""Document processor Lambda: the Task states of the document pipeline.

Event: {"step": "read", "bucket", "key"} | {"step": "extract", "tenant_id", "doc_id"} |
{"step": "alert", "tenant_id", "doc_id"} | {"step": "unreadable", "key", "error", "cause"}.
Errors propagate with their type (DocumentUnreadable, Textract's throttling) for the state machine's
Retry and Catch.
"""

from typing import Literal

from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel

from smartretail.adapters.aws_items import DynamoItemStore
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.adapters.aws_sns import SnsNotifier
from smartretail.decisions.alerts import AlertService
from smartretail.decisions.audit import AuditTrail
from smartretail.documents.pipeline import DocumentPipeline
from smartretail.documents.service import DocumentService
from smartretail.lake import check_id
from smartretail.settings import DocumentProcessorSettings

logger = Logger(service="smartretail-document-processor")
tracer = Tracer(service="smartretail-document-processor")

settings = DocumentProcessorSettings.from_env()
if settings.SMARTRETAIL_LOCAL:
    from smartretail.adapters.local_textract import LocalDocumentReader

    reader = LocalDocumentReader(settings.MAX_DOCUMENT_PAGES)
else:
    from smartretail.adapters.aws_textract import TextractReader

    reader = TextractReader()
store = S3ObjectStore()
audit = AuditTrail(DynamoItemStore(settings.AUDIT_TABLE))
documents = DocumentService(store, DynamoItemStore(settings.DOCUMENTS_TABLE), settings.DOCUMENTS_BUCKET, audit)
pipeline = DocumentPipeline(documents, store, reader, settings.DOCUMENTS_BUCKET,
                            AlertService(DynamoItemStore(settings.ALERTS_TABLE), audit, SnsNotifier(settings.ALERTS_TOPIC_ARN)))


class Step(BaseModel):
    step: Literal["read", "extract", "alert", "unreadable"]
    bucket: str | None = None
    key: str | None = None
    tenant_id: str | None = None
    doc_id: str | None = None
    error: str = ""
    cause: str = ""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    request = Step.model_validate(event)
    if request.tenant_id:
        logger.append_keys(tenant_id=check_id(request.tenant_id, "tenant_id"), doc_id=request.doc_id)
    if request.step == "read":
        result = pipeline.read(request.bucket or settings.DOCUMENTS_BUCKET, request.key)
    elif request.step == "extract":
        result = pipeline.extract(request.tenant_id, check_id(request.doc_id, "doc_id"))
    elif request.step == "alert":
        result = pipeline.alert(request.tenant_id, check_id(request.doc_id, "doc_id"))
    else:
        result = pipeline.unreadable(request.key, request.error, request.cause)
    logger.info(f"document step {request.step} done", extra={k: v for k, v in result.items() if k != "reasons"})
    return result
