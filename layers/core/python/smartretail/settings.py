"""Runtime configuration read once, at cold start, from environment variables.

Each runtime declares a pydantic model whose field names are the environment variable names; a
missing or malformed variable fails the init with a message that names it.
"""

import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

T = TypeVar("T", bound="EnvSettings")


class EnvSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_env(cls: type[T], environ: dict[str, str] | None = None) -> T:
        env = dict(os.environ if environ is None else environ)
        try:
            return cls.model_validate(env)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise RuntimeError(f"invalid configuration for {cls.__name__}: {problems}") from None


class ApiSettings(EnvSettings):
    """Environment of the API Lambda (set by ApiConstruct)."""

    AWS_REGION: str
    COGNITO_USER_POOL_ID: str
    COGNITO_CLIENT_ID: str
    RAW_BUCKET: str
    CURATED_BUCKET: str
    UPLOADS_TABLE: str
    FORECASTS_TABLE: str
    MODELS_TABLE: str
    DECISIONS_TABLE: str
    PROPOSALS_TABLE: str
    ALERTS_TABLE: str
    AUDIT_TABLE: str
    GLUE_DATABASE: str
    ATHENA_WORKGROUP: str
    DOCUMENTS_BUCKET: str
    DOCUMENTS_TABLE: str
    MAX_DOCUMENT_BYTES: int = 10 * 1024 * 1024
    MAX_UPLOAD_BYTES: int = 100 * 1024 * 1024
    UPLOAD_URL_TTL_SECONDS: int = 900
    CORS_ALLOWED_ORIGINS: str = ""  # comma-separated origins of the dashboard
    ALERTS_TOPIC_ARN: str = ""  # email subscriptions to the tenant's alerts (filtered by tenant)
    RESULTS_CACHE_TABLE: str = ""  # KPI answers and ranked recommendations by the data they came from; unset: no cache
    REQUEST_COUNTS_TABLE: str = ""  # each tenant's requests per minute (smartretail.throttle); unset: no tenant throttle
    TENANT_REQUESTS_PER_MINUTE: int = 3000
    SDK_TRACING: bool = False  # powertools Tracer (X-Ray SDK); Lambda active tracing is on regardless
    # Each tenant's live model on a SageMaker endpoint named <prefix><tenant> (horizons beyond the stored days).
    FORECAST_ENDPOINT_PREFIX: str = ""
    # Set only by the local stack: Athena is served by DuckDB over the same Parquet files.
    SMARTRETAIL_LOCAL: bool = False


class ValidationSettings(EnvSettings):
    """Environment of the ingestion validation Lambda (set by IngestionConstruct)."""

    AWS_REGION: str
    RAW_BUCKET: str
    UPLOADS_TABLE: str


class ForecastLoaderSettings(EnvSettings):
    """Environment of the forecast loader Lambda (set by TrainingPipelineConstruct)."""

    AWS_REGION: str
    ARTIFACTS_BUCKET: str
    FORECASTS_TABLE: str
    MODELS_TABLE: str
    DECISIONS_TABLE: str
    RESULTS_CACHE_TABLE: str = ""  # where each store's recommendations are ranked ahead of the first request


class AlertsEvaluatorSettings(EnvSettings):
    """Environment of the alerts evaluator Lambda (set by DecisionsConstruct)."""

    AWS_REGION: str
    DECISIONS_TABLE: str
    ALERTS_TABLE: str
    AUDIT_TABLE: str
    FORECASTS_TABLE: str
    MODELS_TABLE: str
    ALERTS_TOPIC_ARN: str


class DocumentProcessorSettings(EnvSettings):
    """Environment of the document processor Lambda (set by DocumentsConstruct)."""

    AWS_REGION: str
    DOCUMENTS_BUCKET: str
    DOCUMENTS_TABLE: str
    ALERTS_TABLE: str
    AUDIT_TABLE: str
    ALERTS_TOPIC_ARN: str
    MAX_DOCUMENT_PAGES: int = 20
    # The copilot's search (CopilotSearchConstruct): the collection's endpoint, its index, Titan's model.
    SEARCH_ENDPOINT: str
    SEARCH_INDEX: str = "copilot"
    EMBEDDING_MODEL_ID: str = "amazon.titan-embed-text-v2:0"
    # Set only by the local stack: Textract is served by tesseract and pdfplumber.
    SMARTRETAIL_LOCAL: bool = False
