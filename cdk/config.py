"""Stage settings and the names shared between constructs (the one place they are written)."""

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = ROOT / "lambdas"
CORE_LAYER_DIR = ROOT / "layers" / "core"
DEPS_LAYER_DIR = ROOT / "layers" / "deps"
DOCUMENT_DEPS_LAYER_DIR = ROOT / "layers" / "document_deps"
SEARCH_DEPS_LAYER_DIR = ROOT / "layers" / "search_deps"
WEB_DIST_DIR = ROOT / "web" / "dist"  # the dashboard's build (npm run build in web/; ./dev builds it)
GLUE_JOBS_DIR = ROOT / "glue_jobs"
SAGEMAKER_JOBS_DIR = ROOT / "sagemaker_jobs"
STATEMACHINES_DIR = ROOT / "statemachines"

TENANT_CLAIM = "tenant_id"  # Cognito custom attribute -> `custom:tenant_id` in tokens
GROUPS = ("sellers", "managers", "admins")


@dataclass(frozen=True)
class StageConfig:
    stage: str = "dev"
    api_rate_limit: float = 100.0      # steady requests per second, whole API
    api_burst_limit: int = 200
    tenant_requests_per_minute: int = 3000  # one tenant's share (half the stage's rate): then 429 with Retry-After
    waf_requests_per_ip: int = 1000    # per 5 minutes: a client over it is blocked by the web ACL's rate rule
    max_upload_bytes: int = 100 * 1024 * 1024
    max_document_bytes: int = 10 * 1024 * 1024   # one uploaded invoice, certificate or receipt
    max_document_pages: int = 20                 # longer PDFs are refused with a reason: split them
    upload_url_ttl_seconds: int = 900
    log_retention_days: int = 30
    operations_emails: tuple[str, ...] = ()  # subscribed to the operations topic that every alarm notifies
    mfa_required: bool = True  # TOTP for every user; only the dev and test stages (demo users) leave it optional
    base_currency: str = "EUR"
    # Where the dashboard is served from: allowed to call the API and to POST uploads to S3.
    dashboard_origins: tuple[str, ...] = ("http://127.0.0.1:8090",)
    glue_workers: int = 2
    # powertools Tracer (X-Ray SDK subsegments for every AWS call) in the API function costs ~150-200 ms
    # of cold start; Lambda active tracing still traces every request without it. Turn on to dig
    # into latency.
    api_sdk_tracing: bool = False
    # SageMaker: AWS Deep Learning Containers with Python 3.11 (the version the code is tested with);
    # script mode installs the job's requirements.txt on top. The images live in AWS's DLC account.
    dlc_account: str = "763104351884"
    training_image: str = "pytorch-training:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
    inference_image: str = "pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
    training_instance_type: str = "ml.m5.2xlarge"
    transform_instance_type: str = "ml.m5.xlarge"
    # Weekly retraining (EventBridge), one execution per listed tenant; others start it from the console.
    training_schedule: str = "cron(0 3 ? * MON *)"
    scheduled_tenants: tuple[str, ...] = ()
    # Daily alert evaluation (stockout risk, demand spikes, price anomalies) of the scheduled tenants.
    alerts_schedule: str = "cron(0 6 * * ? *)"
    # The copilot: "planner" (deterministic, no model), "bedrock" (Converse with copilot_model_id, a model
    # or inference profile enabled in the account) or "openai" (an OpenAI-compatible server at
    # copilot_model_base_url, its key in the Secrets Manager secret copilot_model_api_key_secret).
    copilot_model: str = "planner"
    copilot_model_id: str = ""
    copilot_model_base_url: str = ""
    copilot_model_api_key_secret: str = ""
    bedrock_guardrail_id: str = ""
    bedrock_guardrail_version: str = "DRAFT"
    conversation_retention_days: int = 30
    copilot_user_requests_per_minute: int = 20
    tags: dict[str, str] = field(default_factory=lambda: {"project": "smartretail"})


    @property
    def forecast_endpoint_prefix(self) -> str:
        """Each tenant's serverless forecast endpoint is <prefix><tenant>."""
        return f"smartretail-{self.stage}-forecast-"


def load_stage(stage: str) -> StageConfig:
    if stage == "prod":
        return StageConfig(stage="prod", log_retention_days=365, glue_workers=4,
                           dashboard_origins=("https://app.smartretail.example",))
    if stage == "test":
        # Small limits so tests can exercise them with small files.
        return StageConfig(stage="test", max_upload_bytes=64 * 1024, upload_url_ttl_seconds=120,
                           max_document_bytes=1024 * 1024, max_document_pages=20, mfa_required=False)
    return StageConfig(stage=stage, scheduled_tenants=("demo",), mfa_required=False)
