"""Alerts evaluator Lambda: EventBridge's daily schedule, one event per tenant.

Event: {"tenant_id"}. Checks every series of the tenant for stockout risk, demand spikes and price
anomalies against the thresholds its managers set; new or worse alerts go to the alerts topic. Then
the model monitor: the live forecast's realised accuracy per week and category, a forecast_accuracy
alert when a week is more than 10% worse than the one before, drift against its training window, and
a retraining request when either says so (smartretail.forecasting.monitoring).
"""

from aws_lambda_powertools import Logger, Tracer
from pydantic import BaseModel, field_validator

from smartretail.adapters.aws_dynamodb import DynamoForecastStore, DynamoItemStore, DynamoModelRegistry
from smartretail.adapters.aws_sns import SnsNotifier
from smartretail.alerts import AlertService, evaluate
from smartretail.audit import AuditTrail
from smartretail.errors import ServiceUnavailable
from smartretail.forecasting.monitoring import ModelMonitor
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
monitor = None
if settings.GLUE_DATABASE or settings.SMARTRETAIL_LOCAL:
    from smartretail.adapters.aws_dynamodb import DynamoModelRegistry as _Registry
    from smartretail.adapters.aws_events import EventBridgeRetrainRequests
    from smartretail.adapters.serving import query_engine

    monitor = ModelMonitor(query_engine(settings), forecasts, _Registry(settings.MODELS_TABLE), decision_items, alerts,
                           EventBridgeRetrainRequests(settings.RETRAIN_EVENT_BUS) if settings.RETRAIN_EVENT_BUS else None)


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
    if monitor is not None:
        try:
            checked = monitor.check(request.tenant_id)
            result["monitor"] = {k: checked.get(k) for k in ("status", "live_model", "worsened", "psi", "retraining")}
        except ServiceUnavailable as exc:  # tomorrow's run looks again; today's alerts stand
            result["monitor"] = {"status": f"not checked: {exc.message}"}
        logger.info("model monitored", extra=result["monitor"])
    return {"tenant_id": request.tenant_id, **result}
