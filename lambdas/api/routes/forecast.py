"""The /forecast and /models routes: demand forecasts with bands and drivers, and model versions."""

import csv
import io
import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from smartretail.auth import ADMINS, ALL_GROUPS, MANAGERS
from smartretail.errors import InvalidRequest
from smartretail.forecasting.serving import ForecastRequest

router = APIRouter()


@router.post("/forecast")
def forecast(body: ForecastRequest, request: Request) -> dict:
    principal = request.state.principal.require_any(ALL_GROUPS)
    return request.app.state.services.forecasts.forecast(principal.tenant_id, body)


@router.get("/forecast/export")
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
        error = exc.errors()[0]
        raise InvalidRequest(error["msg"].removeprefix("Value error, "), field=str(error["loc"][0]) if error["loc"] else None) from None
    result = request.app.state.services.forecasts.forecast(principal.tenant_id, query)
    if format == "json":
        return Response(content=json.dumps(result), media_type="application/json")
    out = io.StringIO()
    writer = csv.writer(out)
    period = "week_start" if query.granularity == "week" else "date"
    writer.writerow(["store_id", "sku_id", period, "yhat", "yhat_lower", "yhat_upper", "method", "model_version"])
    for item in result["forecasts"]:
        for point in item["series"]:
            writer.writerow([result["store_id"], item["sku_id"], point[period], point["yhat"], point["yhat_lower"],
                             point["yhat_upper"], item["method"], item["model_version"] or ""])
    filename = f"forecast-{query.store_id}.csv"
    return Response(content=out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/models")
def models(request: Request) -> dict:
    principal = request.state.principal.require_any((MANAGERS, ADMINS))
    return {"models": request.app.state.services.forecasts.models(principal.tenant_id)}
