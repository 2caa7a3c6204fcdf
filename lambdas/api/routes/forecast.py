"""The /forecast and /models routes: demand forecasts with bands and drivers, and model versions."""

import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS
from smartretail.errors import InvalidRequest, invalid_request
from smartretail.lake import stored_id
from smartretail.forecasting.overrides import OverrideRequest
from smartretail.forecasting.serving import ForecastRequest, forecast_csv

router = APIRouter()


@router.post("/forecast")
def forecast(body: ForecastRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.forecasts.forecast(principal.tenant_id, body)


@router.get("/forecast/export", responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}},
                                                  "description": "the forecast as CSV or JSON"}})
def export(
    request: Request,
    store_id: str = Query(),
    sku_ids: str = Query(description="comma-separated"),
    horizon_days: int = Query(default=28),
    granularity: str = Query(default="day"),
    format: str = Query(default="csv", pattern="^(csv|json)$"),
) -> Response:
    principal = request.state.principal.require_any(ALL_GROUPS)
    try:
        query = ForecastRequest(store_id=store_id, sku_ids=[s for s in sku_ids.split(",") if s.strip()],
                                horizon_days=horizon_days, granularity=granularity)
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from None
    result = request.app.state.services.forecasts.forecast(principal.tenant_id, query)
    if format == "json":
        return Response(content=json.dumps(result), media_type="application/json")
    return Response(content=forecast_csv(result, query.granularity), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="forecast-{query.store_id}.csv"'})


@router.post("/forecast/overrides", status_code=201)
def create_override(body: OverrideRequest, request: Request) -> dict:
    """A manager's value (units a day) or percentage for one SKU at one store over a date range, with a
    reason; served and exported forecasts show it beside the model's value until it expires."""
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.forecasts.overrides.create(principal, body)


@router.get("/forecast/overrides")
def list_overrides(request: Request, store_id: str | None = Query(default=None, max_length=64),
                   sku_id: str | None = Query(default=None, max_length=64), include_expired: bool = Query(default=False)) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    store = _id(store_id, "store_id") if store_id else None
    sku = _id(sku_id, "sku_id") if sku_id else None
    return {"overrides": request.app.state.services.forecasts.overrides.list(principal.tenant_id, store, sku, include_expired)}


def _id(value: str, field: str) -> str:
    try:
        return stored_id(value, field)
    except ValueError as exc:
        raise InvalidRequest(str(exc), field=field) from None


@router.delete("/forecast/overrides/{override_id}")
def delete_override(override_id: str, request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.forecasts.overrides.delete(principal, override_id)


@router.get("/forecast/accuracy")
def accuracy(request: Request) -> dict:
    """The live forecast's realised accuracy: WAPE and bias per model version, week and category as
    actuals arrive, the weekly trend, and the monitor's last check (drift, retraining asked)."""
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.forecasts.accuracy(principal.tenant_id)


@router.get("/models")
def models(request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return {"models": request.app.state.services.forecasts.models(principal.tenant_id)}


@router.get("/models/{model_version}/card")
def model_card(model_version: str, request: Request) -> dict:
    """A version's model card: intended use, data window, metrics per category and backtest window,
    drift, limitations, and the pipeline's approval."""
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return request.app.state.services.forecasts.model_card(principal.tenant_id, model_version)
