"""Alerts evaluator Lambda: EventBridge's daily schedule, one event per tenant.

Event: {"tenant_id"}. Checks every series of the tenant for stockout risk, demand spikes and price
anomalies against the thresholds its managers set; new or worse alerts go to the alerts topic.
"""

from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel, field_validator

from smartretail.adapters.aws_forecasts import DynamoForecastStore, DynamoModelRegistry
from smartretail.adapters.aws_items import DynamoItemStore
from smartretail.adapters.aws_sns import SnsNotifier
from smartretail.decisions.alerts import AlertService, evaluate
from smartretail.decisions.audit import AuditTrail
from smartretail.decisions.service import DecisionService
from smartretail.lake import check_id
from smartretail.settings import AlertsEvaluatorSettings

logger = Logger(service="smartretail-alerts-evaluator")
tracer = Tracer(service="smartretail-alerts-evaluator")

settings = AlertsEvaluatorSettings.from_env()
forecasts = DynamoForecastStore(settings.FORECASTS_TABLE)
audit = AuditTrail(DynamoItemStore(settings.AUDIT_TABLE))
decisions = DecisionService(DynamoItemStore(settings.DECISIONS_TABLE), forecasts, DynamoModelRegistry(settings.MODELS_TABLE), audit)
alerts = AlertService(DynamoItemStore(settings.ALERTS_TABLE), audit, SnsNotifier(settings.ALERTS_TOPIC_ARN))


class EvaluationRequest(BaseModel):
    tenant_id: str

    @field_validator("tenant_id")
    @classmethod
    def _safe(cls, value: str) -> str:
        return check_id(value, "tenant_id")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    request = EvaluationRequest.model_validate(event)
    logger.append_keys(tenant_id=request.tenant_id)
    result = evaluate(request.tenant_id, decisions, forecasts, alerts)
    logger.info("alerts evaluated", extra=result)
    return {"tenant_id": request.tenant_id, **result}
