"""The alerts routes: list with filters; acknowledge, resolve, snooze."""

from fastapi import APIRouter, Query, Request

from smartretail.auth import ALL_GROUPS
from smartretail.alerts import SnoozeRequest, SubscribeRequest
from smartretail.approvals import DecisionNote

router = APIRouter()


@router.get("/alerts")
def alerts(request: Request,
           status: str | None = Query(default=None, pattern="^(open|acknowledged|snoozed|resolved)$"),
           type: str | None = Query(default=None, pattern="^(stockout_risk|demand_spike|price_anomaly|competitor_price_drop|compliance_failure|forecast_accuracy)$"),
           severity: str | None = Query(default=None, pattern="^(low|medium|high)$"),
           store_id: str | None = Query(default=None, max_length=64), sku_id: str | None = Query(default=None, max_length=64),
           limit: int = Query(default=100, ge=1, le=500)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    found = request.app.state.services.alerts.list(principal.tenant_id, status, type, severity,
                                                   store_id.strip().upper() if store_id else None,
                                                   sku_id.strip().upper() if sku_id else None, limit)
    return {"alerts": found}


@router.post("/alerts/subscriptions", status_code=201)
def subscribe(body: SubscribeRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.alerts.subscribe(principal, body)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.alerts.acknowledge(principal, alert_id)


@router.post("/alerts/{alert_id}/resolve")
def resolve(alert_id: str, request: Request, body: DecisionNote | None = None) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.alerts.resolve(principal, alert_id, body.note if body else None)


@router.post("/alerts/{alert_id}/snooze")
def snooze(alert_id: str, body: SnoozeRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.alerts.snooze(principal, alert_id, body)
