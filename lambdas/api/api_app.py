"""The FastAPI application of the API function: its routers on the shared REST plumbing
(smartretail.rest: authentication, throttle, error shapes)."""

from typing import Any

from fastapi import FastAPI

from smartretail import rest

from routes import alerts, approvals, documents, forecast, ingest, kpis, me, pricing, storefront_clients

ROUTERS = (ingest, kpis, forecast, pricing, approvals, alerts, documents, me, storefront_clients)


def route_table() -> list[tuple[str, str]]:
    return rest.route_table(module.router for module in ROUTERS)


def create_app(services: Any, logger: Any = None) -> FastAPI:
    return rest.secured_app("SmartRetail API", services, [module.router for module in ROUTERS], logger,
                            methods=("GET", "POST", "PUT", "DELETE"))
