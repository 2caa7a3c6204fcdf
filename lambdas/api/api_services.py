"""Composition root of the API Lambda: settings -> adapters -> domain services, once per container."""

import tempfile
from dataclasses import dataclass
from typing import Any

from smartretail.auth import CognitoJwtVerifier
from smartretail.forecasting.serving import ForecastService
from smartretail.ingestion.uploads import UploadLimits, UploadService
from smartretail.ports import QueryEngine
from smartretail.settings import ApiSettings


@dataclass
class Services:
    settings: ApiSettings
    verifier: Any
    uploads: UploadService
    query_engine: QueryEngine
    forecasts: ForecastService


def build_services(settings: ApiSettings) -> Services:
    from smartretail.adapters.aws_dynamodb import DynamoUploadRepository
    from smartretail.adapters.aws_forecasts import DynamoForecastStore, DynamoModelRegistry
    from smartretail.adapters.aws_s3 import S3ObjectStore

    if settings.SMARTRETAIL_LOCAL:
        from smartretail.adapters.local_duckdb import LocalDuckDbQueryEngine

        cache = tempfile.mkdtemp(prefix="smartretail-duckdb-")
        engine: QueryEngine = LocalDuckDbQueryEngine(settings.CURATED_BUCKET, cache)
    else:
        from smartretail.adapters.athena import AthenaQueryEngine

        engine = AthenaQueryEngine(settings.GLUE_DATABASE, settings.ATHENA_WORKGROUP)
    endpoint = None
    if settings.FORECAST_ENDPOINT_PREFIX:
        from smartretail.adapters.aws_endpoint import SageMakerForecastEndpoint

        endpoint = SageMakerForecastEndpoint(settings.FORECAST_ENDPOINT_PREFIX)
    return Services(
        settings=settings,
        verifier=CognitoJwtVerifier(settings.AWS_REGION, settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID),
        uploads=UploadService(
            S3ObjectStore(),
            DynamoUploadRepository(settings.UPLOADS_TABLE),
            settings.RAW_BUCKET,
            UploadLimits(settings.MAX_UPLOAD_BYTES, settings.UPLOAD_URL_TTL_SECONDS),
        ),
        query_engine=engine,
        forecasts=ForecastService(DynamoForecastStore(settings.FORECASTS_TABLE), DynamoModelRegistry(settings.MODELS_TABLE), engine,
                                  endpoint),
    )
