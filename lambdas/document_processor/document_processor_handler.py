"""Document processor Lambda: the Task states of the document pipeline (smartretail.documents.pipeline
has the events each sends and what each step does)."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from smartretail.adapters.aws_dynamodb import DynamoItemStore
from smartretail.adapters.aws_s3 import S3ObjectStore
from smartretail.adapters.aws_sns import SnsNotifier
from smartretail.adapters.search_index import search_index
from smartretail.alerts import AlertService
from smartretail.audit import AuditTrail
from smartretail.documents.pipeline import DocumentPipeline, PipelineStep
from smartretail.documents.service import DocumentService
from smartretail.settings import DocumentProcessorSettings

# Only the extract and unreadable steps count documents; the others have no metric to publish.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="smartretail-document-processor")
tracer = Tracer(service="smartretail-document-processor")
# DocumentsRead / DocumentsUnreadable: the operations alarm on documents that could not be read.
metrics = Metrics(namespace="SmartRetail", service="smartretail-document-processor")

settings = DocumentProcessorSettings.from_env()
store = S3ObjectStore()
if settings.SMARTRETAIL_LOCAL:
    # Textract by the local OCR engine and pdfplumber.
    from smartretail.adapters.local_textract import LocalDocumentReader

    reader = LocalDocumentReader(settings.MAX_DOCUMENT_PAGES)
else:
    from smartretail.adapters.aws_textract import TextractReader

    reader = TextractReader(settings.MAX_DOCUMENT_PAGES)
search = search_index(settings, store)
audit = AuditTrail(DynamoItemStore(settings.AUDIT_TABLE))
documents = DocumentService(store, DynamoItemStore(settings.DOCUMENTS_TABLE), settings.DOCUMENTS_BUCKET, audit)
pipeline = DocumentPipeline(documents, store, reader, settings.DOCUMENTS_BUCKET,
                            AlertService(DynamoItemStore(settings.ALERTS_TABLE), audit, SnsNotifier(settings.ALERTS_TOPIC_ARN)),
                            search)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: object) -> dict:
    request = PipelineStep.model_validate(event)
    if request.tenant_id:
        logger.append_keys(tenant_id=request.tenant_id, doc_id=request.doc_id)
    result = pipeline.run(request)
    if request.step == "extract":
        metrics.add_metric(name="DocumentsRead", unit=MetricUnit.Count, value=1)
    elif request.step == "unreadable" and result.get("status") == "needs_review":
        metrics.add_metric(name="DocumentsUnreadable", unit=MetricUnit.Count, value=1)
    logger.info(f"document step {request.step} done", extra={k: v for k, v in result.items() if k != "reasons"})
    return result
