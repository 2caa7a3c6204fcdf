"""The /forecast and /models routes: demand forecasts with bands and drivers, and model versions."""

import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS
from smartretail.errors import invalid_request
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


@router.get("/models")
def models(request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return {"models": request.app.state.services.forecasts.models(principal.tenant_id)}
