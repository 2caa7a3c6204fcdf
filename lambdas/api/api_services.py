"""Composition root of the API Lambda: settings -> adapters -> domain services, once per container."""

import tempfile
from dataclasses import dataclass
from typing import Any

from smartretail.alerts import AlertService
from smartretail.approvals import ProposalService
from smartretail.audit import AuditTrail
from smartretail.auth import CognitoJwtVerifier
from smartretail.documents.service import DocumentService
from smartretail.forecasting.serving import ForecastService
from smartretail.ingestion.uploads import UploadLimits, UploadService
from smartretail.kpis import KpiService
from smartretail.memo import Recent
from smartretail.ports import QueryEngine
from smartretail.pricing.service import PricingService
from smartretail.settings import ApiSettings
from smartretail.tenant_policy import TenantPolicyStore
from smartretail.throttle import TenantThrottle


@dataclass
class Services:
    settings: ApiSettings
    verifier: Any
    uploads: UploadService
    query_engine: QueryEngine
    kpis: KpiService
    forecasts: ForecastService
    pricing: PricingService
    policies: TenantPolicyStore
    proposals: ProposalService
    alerts: AlertService
    audit: AuditTrail
    documents: DocumentService
    throttle: TenantThrottle | None = None


def build_services(settings: ApiSettings) -> Services:
    from smartretail.adapters.aws_dynamodb import (DynamoForecastStore, DynamoItemStore, DynamoModelRegistry, DynamoRequestCounter,
                                                   DynamoResultCache, DynamoUploadRepository)
    from smartretail.adapters.aws_s3 import S3ObjectStore
    from smartretail.adapters.aws_sns import SnsNotifier

    if settings.SMARTRETAIL_LOCAL:
        from smartretail.adapters.local_athena import LocalDuckDbQueryEngine

        mirror_dir = tempfile.mkdtemp(prefix="smartretail-duckdb-")
        local_engine = LocalDuckDbQueryEngine(settings.CURATED_BUCKET, mirror_dir)
        local_engine.keep_mirrored(every_seconds=10)
        engine: QueryEngine = local_engine
    else:
        from smartretail.adapters.aws_athena import AthenaQueryEngine

        engine = AthenaQueryEngine(settings.GLUE_DATABASE, settings.ATHENA_WORKGROUP)
    endpoint = None
    if settings.FORECAST_ENDPOINT_PREFIX:
        from smartretail.adapters.aws_sagemaker import SageMakerForecastEndpoint

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
    return Services(
        settings=settings,
        verifier=CognitoJwtVerifier(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID),
        uploads=UploadService(
            object_store,
            DynamoUploadRepository(settings.UPLOADS_TABLE),
            settings.RAW_BUCKET,
            UploadLimits(settings.MAX_UPLOAD_BYTES, settings.UPLOAD_URL_TTL_SECONDS),
            decision_items,
            audit,
        ),
        query_engine=engine,
        kpis=KpiService(engine, object_store, settings.CURATED_BUCKET, cache, recent),
        forecasts=ForecastService(forecast_store, registry, engine, endpoint, recent, cache),
        pricing=PricingService(decision_items, forecast_store, registry, policies, cache, recent),
        policies=policies,
        proposals=ProposalService(DynamoItemStore(settings.PROPOSALS_TABLE), decision_items, policies.get, audit),
        # Alerts are raised by the evaluator (which notifies); the API lists them, records what users do
        # and subscribes their addresses (filtered to their tenant).
        alerts=AlertService(DynamoItemStore(settings.ALERTS_TABLE), audit, SnsNotifier(settings.ALERTS_TOPIC_ARN)),
        audit=audit,
        documents=DocumentService(object_store, DynamoItemStore(settings.DOCUMENTS_TABLE), settings.DOCUMENTS_BUCKET, audit,
                                  max_bytes=settings.MAX_DOCUMENT_BYTES, url_ttl_seconds=settings.UPLOAD_URL_TTL_SECONDS),
        throttle=TenantThrottle(DynamoRequestCounter(settings.REQUEST_COUNTS_TABLE), settings.TENANT_REQUESTS_PER_MINUTE)
        if settings.REQUEST_COUNTS_TABLE else None,
    )
