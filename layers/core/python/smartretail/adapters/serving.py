"""The services both user-facing functions answer from (the API and the copilot), built one way from
their settings: Athena (DuckDB locally), the forecast store and endpoints, decisions, documents and
the audit trail. Each function's composition root adds what is its own."""

import tempfile
from dataclasses import dataclass

from ..audit import AuditTrail
from ..documents.service import DocumentService
from ..forecasting.overrides import ForecastOverrides
from ..forecasting.serving import ForecastService
from ..kpis import KpiService
from ..memo import Recent
from ..ports import QueryEngine, ResultCache
from ..pricing.service import PricingService
from ..settings import ServingSettings
from ..tenant_policy import TenantPolicyStore
from .aws_dynamodb import DynamoForecastStore, DynamoItemStore, DynamoModelRegistry, DynamoResultCache
from .aws_s3 import S3ObjectStore


@dataclass
class ServingServices:
    query_engine: QueryEngine
    object_store: S3ObjectStore
    audit: AuditTrail
    decision_items: DynamoItemStore
    policies: TenantPolicyStore
    kpis: KpiService
    forecasts: ForecastService
    pricing: PricingService
    documents: DocumentService
    cache: ResultCache | None


def query_engine(settings: ServingSettings) -> QueryEngine:
    if settings.SMARTRETAIL_LOCAL:
        from .local_athena import LocalDuckDbQueryEngine

        local_engine = LocalDuckDbQueryEngine(settings.CURATED_BUCKET, tempfile.mkdtemp(prefix="smartretail-duckdb-"))
        local_engine.keep_mirrored(every_seconds=10)
        return local_engine
    from .aws_athena import AthenaQueryEngine

    return AthenaQueryEngine(settings.GLUE_DATABASE, settings.ATHENA_WORKGROUP)


def serving_services(settings: ServingSettings) -> ServingServices:
    engine = query_engine(settings)
    endpoint = None
    if settings.FORECAST_ENDPOINT_PREFIX:
        from .aws_sagemaker import SageMakerForecastEndpoint

        endpoint = SageMakerForecastEndpoint(settings.FORECAST_ENDPOINT_PREFIX)
    forecast_store = DynamoForecastStore(settings.FORECASTS_TABLE)
    registry = DynamoModelRegistry(settings.MODELS_TABLE)
    audit = AuditTrail(DynamoItemStore(settings.AUDIT_TABLE))
    # A tenant's live model, loaded positions and data version, kept 30 s per container (smartretail.memo).
    recent = Recent(seconds=30)
    decision_items = DynamoItemStore(settings.DECISIONS_TABLE)
    policies = TenantPolicyStore(decision_items, audit)
    object_store = S3ObjectStore()
    cache = DynamoResultCache(settings.RESULTS_CACHE_TABLE) if settings.RESULTS_CACHE_TABLE else None
    return ServingServices(
        query_engine=engine, object_store=object_store, audit=audit, decision_items=decision_items, policies=policies,
        kpis=KpiService(engine, object_store, settings.CURATED_BUCKET, cache, recent),
        forecasts=ForecastService(forecast_store, registry, engine, endpoint, recent, cache, ForecastOverrides(decision_items, audit),
                                  decision_items),
        pricing=PricingService(decision_items, forecast_store, registry, policies, cache, recent),
        documents=DocumentService(object_store, DynamoItemStore(settings.DOCUMENTS_TABLE), settings.DOCUMENTS_BUCKET, audit,
                                  max_bytes=settings.MAX_DOCUMENT_BYTES, url_ttl_seconds=settings.UPLOAD_URL_TTL_SECONDS),
        cache=cache,
    )
