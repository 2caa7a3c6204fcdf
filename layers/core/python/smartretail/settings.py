"""Runtime configuration read once, at cold start, from environment variables.

Each runtime declares a pydantic model whose field names are the environment variable names; a
missing or malformed variable fails the init with a message that names it.
"""

import os
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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


class SearchSettings(EnvSettings):
    """What a function that indexes or searches reads (smartretail.adapters.search_index): the copilot's
    chunks and the storefront's catalogue are two indexes of one OpenSearch collection."""

    AWS_REGION: str
    # CopilotSearchConstruct's grants: the collection's endpoint, its indexes, Titan's model.
    SEARCH_ENDPOINT: str
    SEARCH_INDEX: str = "copilot"
    CATALOG_INDEX: str = "catalog"
    EMBEDDING_MODEL_ID: str = "amazon.titan-embed-text-v2:0"
    # Set only by the local stack, with SMARTRETAIL_LOCAL: the bucket where the in-process index keeps
    # what is indexed, so the processes that index and those that search share it.
    LOCAL_SEARCH_BUCKET: str = ""
    SMARTRETAIL_LOCAL: bool = False


class ServingSettings(EnvSettings):
    """What a function that answers users' questions reads: identity, the curated data through Athena,
    forecasts, decisions and documents (set by the capability constructs' grants)."""

    AWS_REGION: str
    COGNITO_USER_POOL_ID: str
    COGNITO_CLIENT_ID: str
    CURATED_BUCKET: str
    FORECASTS_TABLE: str
    MODELS_TABLE: str
    DECISIONS_TABLE: str
    AUDIT_TABLE: str
    GLUE_DATABASE: str
    ATHENA_WORKGROUP: str
    DOCUMENTS_BUCKET: str
    DOCUMENTS_TABLE: str
    MAX_DOCUMENT_BYTES: int = 10 * 1024 * 1024
    UPLOAD_URL_TTL_SECONDS: int = 900
    CORS_ALLOWED_ORIGINS: str = ""  # comma-separated origins of the dashboard
    RESULTS_CACHE_TABLE: str = ""  # KPI answers and ranked recommendations by the data they came from; unset: no cache
    REQUEST_COUNTS_TABLE: str = ""  # requests per minute (smartretail.throttle); unset: no throttle
    # Each tenant's live model on a SageMaker endpoint named <prefix><tenant> (horizons beyond the stored days).
    FORECAST_ENDPOINT_PREFIX: str = ""
    # Set only by the local stack: Athena is served by DuckDB over the same Parquet files.
    SMARTRETAIL_LOCAL: bool = False


class ApiSettings(ServingSettings):
    """Environment of the API Lambda (set by ApiConstruct)."""

    RAW_BUCKET: str
    UPLOADS_TABLE: str
    PROPOSALS_TABLE: str
    ALERTS_TABLE: str
    MAX_UPLOAD_BYTES: int = 100 * 1024 * 1024
    ALERTS_TOPIC_ARN: str = ""  # email subscriptions to the tenant's alerts (filtered by tenant)
    TENANT_REQUESTS_PER_MINUTE: int = 3000
    SDK_TRACING: bool = False  # powertools Tracer (X-Ray SDK); Lambda active tracing is on regardless
    STOREFRONT_TABLE: str = ""  # storefront clients' registry (admins register machine clients); unset: no storefront
    STOREFRONT_TOKEN_URL: str = ""  # where machine clients ask for tokens (the user pool domain's /oauth2/token)


class CopilotSettings(ServingSettings, SearchSettings):
    """Environment of the copilot Lambda (set by CopilotConstruct)."""

    CONVERSATIONS_TABLE: str
    CONVERSATION_RETENTION_DAYS: int = Field(default=30, ge=1, le=365)
    USER_REQUESTS_PER_MINUTE: int = 20  # each user's questions a minute, far under the API's per-tenant share
    # The model: "planner" (deterministic, no model), "bedrock" (Converse with COPILOT_MODEL_ID) or
    # "openai" (any OpenAI-compatible chat-completions server at COPILOT_MODEL_BASE_URL).
    COPILOT_MODEL: Literal["planner", "bedrock", "openai"] = "planner"
    COPILOT_MODEL_ID: str = ""
    COPILOT_MODEL_BASE_URL: str = ""
    COPILOT_MODEL_API_KEY_SECRET: str = ""  # a Secrets Manager secret holding the model server's key, if it wants one
    BEDROCK_GUARDRAIL_ID: str = ""
    BEDROCK_GUARDRAIL_VERSION: str = "DRAFT"
    COPILOT_MAX_TURNS: int = Field(default=6, ge=1, le=20)
    COPILOT_TIME_BUDGET_SECONDS: float = Field(default=20.0, gt=0, le=28)

    @model_validator(mode="after")
    def _model_is_configured(self) -> "CopilotSettings":
        if self.COPILOT_MODEL == "bedrock" and not self.COPILOT_MODEL_ID:
            raise ValueError("COPILOT_MODEL=bedrock needs COPILOT_MODEL_ID (a Bedrock model or inference profile id)")
        if self.COPILOT_MODEL == "openai" and not (self.COPILOT_MODEL_BASE_URL and self.COPILOT_MODEL_ID):
            raise ValueError("COPILOT_MODEL=openai needs COPILOT_MODEL_BASE_URL and COPILOT_MODEL_ID")
        return self


class StorefrontSettings(SearchSettings):
    """The storefront function: machine clients' tokens, the serving table, the events stream, the
    catalogue's search index."""

    AWS_REGION: str
    COGNITO_USER_POOL_ID: str
    STOREFRONT_TABLE: str
    EVENTS_STREAM: str  # the Firehose delivery stream (locally: events are written to RAW_BUCKET directly)
    RAW_BUCKET: str
    CORS_ALLOWED_ORIGINS: str = ""
    REQUEST_COUNTS_TABLE: str = ""
    CLIENT_REQUESTS_PER_MINUTE: int = 6000
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


class StorefrontLoaderSettings(SearchSettings):
    """Environment of the storefront loader Lambda (set by StorefrontTrainingConstruct): it also
    indexes a promoted run's catalogue."""

    AWS_REGION: str
    ARTIFACTS_BUCKET: str
    STOREFRONT_TABLE: str


class AlertsEvaluatorSettings(EnvSettings):
    """Environment of the alerts evaluator Lambda (set by DecisionsConstruct)."""

    AWS_REGION: str
    DECISIONS_TABLE: str
    ALERTS_TABLE: str
    AUDIT_TABLE: str
    FORECASTS_TABLE: str
    MODELS_TABLE: str
    ALERTS_TOPIC_ARN: str
    # The model monitor (realised accuracy, drift, retraining requests); off where the stage has no analytics.
    CURATED_BUCKET: str = ""
    GLUE_DATABASE: str = ""
    ATHENA_WORKGROUP: str = ""
    RETRAIN_EVENT_BUS: str = ""
    SMARTRETAIL_LOCAL: bool = False


class DocumentProcessorSettings(SearchSettings):
    """Environment of the document processor Lambda (set by DocumentsConstruct)."""

    AWS_REGION: str
    DOCUMENTS_BUCKET: str
    DOCUMENTS_TABLE: str
    ALERTS_TABLE: str
    AUDIT_TABLE: str
    ALERTS_TOPIC_ARN: str
    MAX_DOCUMENT_PAGES: int = 20
    # Set only by the local stack: Textract is served by tesseract and pdfplumber.
    SMARTRETAIL_LOCAL: bool = False
