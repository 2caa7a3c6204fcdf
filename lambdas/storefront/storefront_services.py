"""Composition root of the storefront Lambda: machine-client verification (the client's tenant from
the registry), the serving table, the catalogue's search index (OpenSearch; locally in-process), the
events stream (Firehose; locally the raw bucket directly)."""

from dataclasses import dataclass
from typing import Any

from smartretail.auth import MachineClientVerifier
from smartretail.memo import Recent, remembered
from smartretail.settings import StorefrontSettings
from smartretail.storefront.clients import client_tenant
from smartretail.storefront.serving import StorefrontService
from smartretail.throttle import TenantThrottle


@dataclass
class Services:
    settings: StorefrontSettings
    verifier: Any
    storefront: StorefrontService
    events: Any
    throttle: TenantThrottle | None = None


def build_services(settings: StorefrontSettings) -> Services:
    from smartretail.adapters.aws_dynamodb import DynamoItemStore, DynamoRequestCounter
    from smartretail.adapters.aws_firehose import FirehoseEventSink, S3EventSink
    from smartretail.adapters.aws_s3 import S3ObjectStore
    from smartretail.adapters.search_index import search_index

    table = DynamoItemStore(settings.STOREFRONT_TABLE)
    recent = Recent(seconds=300)  # a revoked client stops working within five minutes
    tenant_of = lambda client_id: remembered(recent, ("client", client_id), lambda: client_tenant(table, client_id))  # noqa: E731
    events = S3EventSink(S3ObjectStore(), settings.RAW_BUCKET) if settings.SMARTRETAIL_LOCAL else FirehoseEventSink(settings.EVENTS_STREAM)
    return Services(
        settings=settings,
        verifier=MachineClientVerifier(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, tenant_of),
        storefront=StorefrontService(table, search_index(settings, S3ObjectStore())),
        events=events,
        throttle=TenantThrottle(DynamoRequestCounter(settings.REQUEST_COUNTS_TABLE), settings.CLIENT_REQUESTS_PER_MINUTE,
                                who="this client has") if settings.REQUEST_COUNTS_TABLE else None,
    )
