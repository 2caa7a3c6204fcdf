"""Alerts evaluator Lambda: EventBridge's daily schedule, one event per tenant.

Event: {"tenant_id"}. Checks every series of the tenant for stockout risk, demand spikes and price
anomalies against the thresholds its managers set; new or worse alerts go to the alerts topic.
"""

from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel, field_validator

from smartretail.adapters.aws_dynamodb import DynamoForecastStore, DynamoItemStore, DynamoModelRegistry
from smartretail.adapters.aws_sns import SnsNotifier
from smartretail.alerts import AlertService, evaluate
from smartretail.audit import AuditTrail
from smartretail.lake import check_id
from smartretail.pricing.service import PricingService
from smartretail.settings import AlertsEvaluatorSettings
from smartretail.tenant_policy import TenantPolicyStore

logger = Logger(service="smartretail-alerts-evaluator")
tracer = Tracer(service="smartretail-alerts-evaluator")

settings = AlertsEvaluatorSettings.from_env()
forecasts = DynamoForecastStore(settings.FORECASTS_TABLE)
audit = AuditTrail(DynamoItemStore(settings.AUDIT_TABLE))
decision_items = DynamoItemStore(settings.DECISIONS_TABLE)
policies = TenantPolicyStore(decision_items, audit)
pricing = PricingService(decision_items, forecasts, DynamoModelRegistry(settings.MODELS_TABLE), policies)
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
    result = evaluate(request.tenant_id, policies.get(request.tenant_id), pricing, forecasts, alerts)
    logger.info("alerts evaluated", extra=result)
    return {"tenant_id": request.tenant_id, **result}
