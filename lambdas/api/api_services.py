"""Composition root of the API Lambda: settings -> adapters -> domain services, once per container."""

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
from smartretail.ports import QueryEngine
from smartretail.pricing.service import PricingService
from smartretail.settings import ApiSettings
from smartretail.storefront.clients import StorefrontClients
from smartretail.storefront.rules import StorefrontRulesStore
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
    storefront_clients: StorefrontClients | None = None
    storefront_rules: StorefrontRulesStore | None = None


def build_services(settings: ApiSettings) -> Services:
    from smartretail.adapters.aws_dynamodb import DynamoItemStore, DynamoRequestCounter, DynamoUploadRepository
    from smartretail.adapters.aws_cognito import CognitoClientIssuer
    from smartretail.adapters.aws_sns import SnsNotifier
    from smartretail.adapters.serving import serving_services

    shared = serving_services(settings)
    audit = shared.audit
    return Services(
        settings=settings,
        verifier=CognitoJwtVerifier(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID),
        uploads=UploadService(
            shared.object_store,
            DynamoUploadRepository(settings.UPLOADS_TABLE),
            settings.RAW_BUCKET,
            UploadLimits(settings.MAX_UPLOAD_BYTES, settings.UPLOAD_URL_TTL_SECONDS),
            shared.decision_items,
            audit,
        ),
        query_engine=shared.query_engine,
        kpis=shared.kpis,
        forecasts=shared.forecasts,
        pricing=shared.pricing,
        policies=shared.policies,
        proposals=ProposalService(DynamoItemStore(settings.PROPOSALS_TABLE), shared.decision_items, shared.policies.get, audit),
        # Alerts are raised by the evaluator (which notifies); the API lists them, records what users do
        # and subscribes their addresses (filtered to their tenant).
        alerts=AlertService(DynamoItemStore(settings.ALERTS_TABLE), audit, SnsNotifier(settings.ALERTS_TOPIC_ARN)),
        audit=audit,
        documents=shared.documents,
        throttle=TenantThrottle(DynamoRequestCounter(settings.REQUEST_COUNTS_TABLE), settings.TENANT_REQUESTS_PER_MINUTE)
        if settings.REQUEST_COUNTS_TABLE else None,
        storefront_clients=StorefrontClients(DynamoItemStore(settings.STOREFRONT_TABLE), CognitoClientIssuer(settings.COGNITO_USER_POOL_ID),
                                             settings.STOREFRONT_TOKEN_URL) if settings.STOREFRONT_TABLE else None,
        storefront_rules=StorefrontRulesStore(DynamoItemStore(settings.STOREFRONT_TABLE), audit) if settings.STOREFRONT_TABLE else None,
    )
