"""What every REST function's FastAPI app shares (the API and the copilot, each its own Lambda behind
the same API Gateway): the caller's verified identity on each request, the request throttle, and one
error shape, so a client meets the same 401/403/422/429/503 answers whichever function serves it."""

import re
from typing import Any, Callable, Iterable

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from .auth import Principal
from .errors import DomainError, ServiceUnavailable, invalid_request


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
        (429, "The caller's share of the API is used up for now: see Retry-After"),
        (503, "A service SmartRetail depends on is unavailable: nothing changed, see Retry-After"),
    )
}

# Cognito's ID token, sent as the Authorization header (as API Gateway's Cognito authorizer expects).
ID_TOKEN = APIKeyHeader(name="Authorization", scheme_name="CognitoIdToken", auto_error=False,
                        description="the Cognito ID token of a user in the sellers, managers or admins group")


def route_table(routers: Iterable[Any]) -> list[tuple[str, str]]:
    """(method, path) of every route as API Gateway's resources name it: every path parameter is {id},
    as API Gateway allows one variable name under a parent (/ingest/{dataset} and /ingest/{upload_id}
    are one resource; the app tells them apart by method)."""
    return sorted({(method, re.sub(r"\{[^}]+\}", "{id}", route.path))
                   for router in routers for route in router.routes for method in route.methods if method != "HEAD"})


def tenant_key(principal: Principal) -> str:
    return principal.tenant_id


def user_key(principal: Principal) -> str:
    return f"{principal.tenant_id}#{principal.user_id}"


def current_principal(request: Request, authorization: str | None = Security(ID_TOKEN)) -> Principal:
    services = request.app.state.services
    principal = services.verifier.verify(authorization)
    if services.throttle is not None:
        services.throttle.check(request.app.state.throttle_key(principal))
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


def secured_app(title: str, services: Any, routers: Iterable[Any], logger: Any = None,
                throttle_key: Callable[[Principal], str] = tenant_key, methods: tuple[str, ...] = ("GET", "POST", "PUT")) -> FastAPI:
    """A FastAPI app whose every route needs a verified caller (services.verifier), counted by
    services.throttle under throttle_key, with the shared error answers and CORS for the dashboard."""
    app = FastAPI(title=title, version="0.1.0", docs_url=None, redoc_url=None)
    app.state.services, app.state.logger, app.state.throttle_key = services, logger, throttle_key
    origins = [o for o in services.settings.CORS_ALLOWED_ORIGINS.split(",") if o]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=list(methods),
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key"])
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    for router in routers:
        app.include_router(router, dependencies=[Depends(current_principal)], responses=ERROR_RESPONSES)
    return app
