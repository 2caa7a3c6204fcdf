"""The FastAPI application: routers, authentication and error shapes."""

import re
from typing import Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from smartretail.auth import Principal
from smartretail.errors import DomainError, ServiceUnavailable, invalid_request

from routes import alerts, approvals, documents, forecast, ingest, kpis, me, pricing

ROUTERS = (ingest, kpis, forecast, pricing, approvals, alerts, documents, me)


def route_table() -> list[tuple[str, str]]:
    """(method, path) of every route as API Gateway's resources name it: every path parameter is {id},
    as API Gateway allows one variable name under a parent (/ingest/{dataset} and /ingest/{upload_id}
    are one resource; the app tells them apart by method)."""
    return sorted({(method, re.sub(r"\{[^}]+\}", "{id}", route.path))
                   for module in ROUTERS for route in module.router.routes for method in route.methods if method != "HEAD"})


class ErrorBody(BaseModel):
    """Every error the API answers: what went wrong, said so a person can act on it, and the field."""

    error: str
    field: str | None = None


# The answers any route may give besides its own (API Gateway answers 401 for a missing token itself).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in (
        (400, "The request body is not valid JSON"),
        (401, "No valid token"),
        (403, "The caller's group may not do this"),
        (404, "Not found in the caller's tenant"),
        (409, "The item changed meanwhile or is in a state that does not allow this"),
        (422, "A field is missing or out of range (named in `field`)"),
        (429, "The tenant's share of the API is used up for now: see Retry-After"),
        (503, "A service SmartRetail depends on is unavailable: nothing changed, see Retry-After"),
    )
}

# Cognito's ID token, sent as the Authorization header (as API Gateway's Cognito authorizer expects).
ID_TOKEN = APIKeyHeader(name="Authorization", scheme_name="CognitoIdToken", auto_error=False,
                        description="the Cognito ID token of a user in the sellers, managers or admins group")


def current_principal(request: Request, authorization: str | None = Security(ID_TOKEN)) -> Principal:
    services = request.app.state.services
    principal = services.verifier.verify(authorization)
    if services.throttle is not None:
        services.throttle.check(principal.tenant_id)
    request.state.principal = principal
    logger = request.app.state.logger
    if logger is not None:
        logger.append_keys(tenant_id=principal.tenant_id, operation=f"{request.method} {request.url.path}")
    return principal


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = (exc.errors() or [{}])[0]
    if first.get("type") == "json_invalid":  # not a field's problem: the body is not JSON at all
        detail = (first.get("ctx") or {}).get("error", "")
        return JSONResponse(status_code=400, content={"error": f"the request body is not valid JSON: {detail}".rstrip(": ")})
    return _domain_error(request, invalid_request(exc.errors()))


def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after_seconds)} if exc.retry_after_seconds is not None else None
    if isinstance(exc, ServiceUnavailable):
        logger = request.app.state.logger
        if logger is not None:  # operations see which dependency failed; the caller sees a 503 to retry
            logger.warning(exc.message, extra={"dependency_error": repr(exc.__cause__)})
    return JSONResponse(status_code=exc.status, content=exc.to_body(), headers=headers)


def create_app(services: Any, logger: Any = None) -> FastAPI:
    app = FastAPI(title="SmartRetail API", version="0.1.0", docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.logger = logger
    origins = [o for o in services.settings.CORS_ALLOWED_ORIGINS.split(",") if o]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "PUT"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key"])
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    secured = [Depends(current_principal)]
    for module in ROUTERS:
        app.include_router(module.router, dependencies=secured, responses=ERROR_RESPONSES)
    return app
