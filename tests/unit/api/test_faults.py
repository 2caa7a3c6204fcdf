"""Every route when a dependency fails: with DynamoDB, S3, Athena or SageMaker Runtime throttling (the
fakes raise what the AWS adapters raise), a route answers 503 with Retry-After and a message, or falls
back as the design says (seasonal naive forecasts, competitor parity or cost plus margin for prices,
moving-average reorder plans); never a 500, and nothing a user sent is lost."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api_app import create_app, route_table
from api_services import Services
from smartretail.adapters.memory import (MemoryClientIssuer, MemoryForecastEndpoint, MemoryForecastStore, MemoryItemStore, MemoryModelRegistry,
                                         MemoryNotifier, MemoryObjectStore, MemoryQueryEngine, MemoryRequestCounter, MemoryResultCache, MemoryUploadRepository,
                                         aws_error)
from smartretail.alerts import AlertService
from smartretail.approvals import ProposalRequest, ProposalService
from smartretail.audit import AuditTrail
from smartretail.auth import Principal
from smartretail.documents.service import DocumentService, UploadDocumentRequest
from smartretail.forecasting.overrides import ForecastOverrides, OverrideRequest
from smartretail.forecasting.serving import ForecastService
from smartretail.ingestion.uploads import UploadLimits, UploadService
from smartretail.insights import store as insights
from smartretail.kpis import KpiService
from smartretail.lake import latest_run_key
from smartretail.pricing.service import PricingService
from smartretail.storefront.clients import NewClient, StorefrontClients
from smartretail.storefront.rules import StorefrontRulesStore
from smartretail.tenant_policy import TenantPolicyStore
from smartretail.throttle import TenantThrottle

TENANT = "t1"
LAST_DAY = date(2024, 3, 31)
PRINCIPALS = {"seller": Principal("u-seller", TENANT, frozenset({"sellers"})),
              "manager": Principal("u-manager", TENANT, frozenset({"managers"})),
              "admin": Principal("u-admin", TENANT, frozenset({"admins"}))}


class Verifier:
    def verify(self, header):
        return PRINCIPALS[header]


def _sales():
    return [{"tenant_id": TENANT, "dt": (LAST_DAY - timedelta(days=i)).isoformat(), "store_id": "S01", "sku_id": "A",
             "category": "Beverages", "units": 10.0 + i % 7, "revenue": 30.0, "promo_flag": False, "stockout": False,
             "currency": "EUR"} for i in range(56)]


def _position():
    recent = [{"date": (LAST_DAY - timedelta(days=i)).isoformat(), "units": 10.0 + i % 7, "promo": False} for i in range(14)]
    return {"store_id": "S01", "sku_id": "A", "category": "Beverages", "current_price": 3.0, "price_date": LAST_DAY.isoformat(),
            "last_sales_date": LAST_DAY.isoformat(), "avg_daily_units_28": 13.0, "recent": recent, "unit_cost": 1.8,
            "on_hand": 20.0, "on_hand_date": LAST_DAY.isoformat(), "on_order": 0, "lead_time_days": 3,
            "competitor_prices": {"rival": 3.2}, "competitor_previous": {}, "competitor_date": LAST_DAY.isoformat()}


@pytest.fixture
def world():
    deps = SimpleNamespace(
        objects=MemoryObjectStore(), uploads=MemoryUploadRepository(), engine=MemoryQueryEngine(_sales()),
        forecasts=MemoryForecastStore(), registry=MemoryModelRegistry(), endpoint=MemoryForecastEndpoint(),
        decisions=MemoryItemStore(), proposals=MemoryItemStore(), alerts=MemoryItemStore(), audit=MemoryItemStore(),
        documents=MemoryItemStore(), counter=MemoryRequestCounter(), notifier=MemoryNotifier(), cache=MemoryResultCache(),
        storefront=MemoryItemStore(), cognito=MemoryClientIssuer())
    audit = AuditTrail(deps.audit)
    policies = TenantPolicyStore(deps.decisions, audit)
    services = Services(
        settings=SimpleNamespace(CORS_ALLOWED_ORIGINS=""), verifier=Verifier(),
        uploads=UploadService(deps.objects, deps.uploads, "raw", UploadLimits(1024 * 1024, 900), deps.decisions, audit),
        query_engine=deps.engine, kpis=KpiService(deps.engine, deps.objects, "curated", deps.cache), forecasts=ForecastService(deps.forecasts, deps.registry, deps.engine, deps.endpoint,
                                                                                                                        overrides=ForecastOverrides(deps.decisions, audit), decisions=deps.decisions),
        pricing=PricingService(deps.decisions, deps.forecasts, deps.registry, policies, deps.cache), policies=policies,
        proposals=ProposalService(deps.proposals, deps.decisions, policies.get, audit),
        alerts=AlertService(deps.alerts, audit, deps.notifier), audit=audit,
        documents=DocumentService(deps.objects, deps.documents, "documents", audit, max_bytes=1024 * 1024, url_ttl_seconds=900),
        throttle=TenantThrottle(deps.counter, 10_000),
        storefront_clients=StorefrontClients(deps.storefront, deps.cognito, "http://token"),
        storefront_rules=StorefrontRulesStore(deps.storefront, audit))
    # A tenant with a live model, stored forecasts, positions, an elasticity, a proposal, an alert,
    # an upload and a document.
    deps.registry.record(TENANT, {"model_version": "v1", "status": "live", "trained_through": LAST_DAY.isoformat(),
                                  "wape": 0.2, "created_at": "2024-04-01T00:00:00+00:00",
                                  "model_card": {"model_version": "v1", "intended_use": "daily demand"}})
    deps.forecasts.put_series(TENANT, "S01", "A", [
        {"date": (LAST_DAY + timedelta(days=d)).isoformat(), "p10": 8.0, "p50": 12.0, "p90": 16.0, "drivers": []}
        for d in range(1, 29)])
    insights.replace(deps.decisions, TENANT, "v1", [_position()],
                     [{"sku_id": "A", "store_id": None, "elasticity": -1.4, "low": -1.8, "high": -1.0, "identified": True,
                       "source": "own"}])
    def proposal(then=()):
        made = services.proposals.create(PRINCIPALS["seller"], ProposalRequest(kind="price", sku_id="A", store_id="S01", new_price=3.1))
        for step in then:
            getattr(services.proposals, step)(PRINCIPALS["manager"], made["proposal_id"])
        return made["proposal_id"]

    alert, _ = services.alerts.raise_alert(TENANT, "stockout_risk", "S01#A", "high", "A may stock out", {}, "S01", "A")
    deps.objects.put_bytes("curated", latest_run_key(TENANT), b'{"run_id": "r1"}')  # the ETL has run: KPIs are cached
    upload = services.uploads.create(TENANT, "u-seller", "sales", "s.csv", None, None)
    document = services.documents.create_upload(PRINCIPALS["seller"], UploadDocumentRequest(doc_type="invoice", file_name="i.pdf"), None)
    services.documents.mark(TENANT, services.documents.record(TENANT, document["doc_id"]), status="needs_review", fields={},
                            rules=[], reasons=["the total could not be read"])
    client = services.storefront_clients.register(TENANT, "u-admin", NewClient(name="shop"))
    soon = date.today() + timedelta(days=1)
    override = services.forecasts.overrides.create(PRINCIPALS["manager"], OverrideRequest(
        store_id="S01", sku_id="A", start=soon, end=soon + timedelta(days=3), percent=20, reason="street festival"))
    ids = {"override": override["override_id"], "client": client["client_id"], "proposal": proposal(), "approved": proposal(["approve"]), "applied": proposal(["approve", "apply"]),
           "alert": alert["alert_id"], "upload": upload["upload_id"], "doc": document["doc_id"]}
    return deps, TestClient(create_app(services), raise_server_exceptions=False), ids


def _request(method, path, ids):
    """A valid request to each route of the route table, as (who, path, query, json body)."""
    forecast = {"store_id": "S01", "sku_ids": ["A"], "horizon_days": 14}
    table = {
        ("GET", "/alerts"): ("seller", "/alerts", {}, None),
        ("GET", "/admin/storefront-clients"): ("admin", "/admin/storefront-clients", {}, None),
        ("POST", "/admin/storefront-clients"): ("admin", "/admin/storefront-clients", {}, {"name": "web shop"}),
        ("DELETE", "/admin/storefront-clients/{id}"): ("admin", f"/admin/storefront-clients/{ids['client']}", {}, None),
        ("GET", "/admin/storefront-rules"): ("manager", "/admin/storefront-rules", {}, None),
        ("PUT", "/admin/storefront-rules"): ("manager", "/admin/storefront-rules", {}, {"banned_sellers": ["S-9"]}),
        ("GET", "/audit"): ("admin", "/audit", {}, None),
        ("GET", "/catalog"): ("seller", "/catalog", {}, None),
        ("GET", "/documents"): ("seller", "/documents", {}, None),
        ("GET", "/documents/{id}"): ("seller", f"/documents/{ids['doc']}", {}, None),
        ("GET", "/documents/{id}/export"): ("seller", f"/documents/{ids['doc']}/export", {"format": "csv"}, None),
        ("GET", "/documents/{id}/file"): ("seller", f"/documents/{ids['doc']}/file", {}, None),
        ("GET", "/inventory/plans"): ("seller", "/inventory/plans", {"store_id": "S01"}, None),
        ("GET", "/forecast/export"): ("seller", "/forecast/export", {"store_id": "S01", "sku_ids": "A"}, None),
        ("GET", "/ingest"): ("seller", "/ingest", {}, None),
        ("GET", "/ingest/{id}"): ("seller", f"/ingest/{ids['upload']}", {}, None),
        ("GET", "/ingest/{id}/settings"): ("seller", "/ingest/sales/settings", {}, None),
        ("PUT", "/ingest/{id}/settings"): ("seller", "/ingest/sales/settings", {}, {"date_order": "day_first"}),
        ("POST", "/ingest/{id}/preview"): ("seller", "/ingest/sales/preview", {},
                                          {"file_name": "s.csv", "content_base64": "ZGF0ZSxzdG9yZV9pZCxza3VfaWQsdW5pdHMKMjAyNC0wMS0wMSxTMSxBLDMK"}),
        ("GET", "/kpis"): ("seller", "/kpis", {"start": "2024-03-01", "end": "2024-03-31"}, None),
        ("GET", "/me"): ("seller", "/me", {}, None),
        ("GET", "/models"): ("manager", "/models", {}, None),
        ("GET", "/models/{id}/card"): ("manager", "/models/v1/card", {}, None),
        ("GET", "/policy"): ("seller", "/policy", {}, None),
        ("GET", "/proposals"): ("seller", "/proposals", {}, None),
        ("GET", "/proposals/{id}"): ("seller", f"/proposals/{ids['proposal']}", {}, None),
        ("GET", "/proposals/{id}/payload"): ("seller", f"/proposals/{ids['applied']}/payload", {}, None),
        ("POST", "/alerts/subscriptions"): ("manager", "/alerts/subscriptions", {}, {"email": "ops@shop.example"}),
        ("POST", "/alerts/{id}/acknowledge"): ("seller", f"/alerts/{ids['alert']}/acknowledge", {}, None),
        ("POST", "/alerts/{id}/resolve"): ("seller", f"/alerts/{ids['alert']}/resolve", {}, {"note": "ordered"}),
        ("POST", "/alerts/{id}/snooze"): ("seller", f"/alerts/{ids['alert']}/snooze", {}, {"hours": 4}),
        ("POST", "/documents/{id}/review"): ("manager", f"/documents/{ids['doc']}/review", {}, {"resolution": "pass", "note": "ok"}),
        ("POST", "/forecast"): ("seller", "/forecast", {}, forecast),
        ("GET", "/forecast/accuracy"): ("seller", "/forecast/accuracy", {}, None),
        ("GET", "/forecast/overrides"): ("seller", "/forecast/overrides", {"store_id": "S01"}, None),
        ("POST", "/forecast/overrides"): ("manager", "/forecast/overrides", {}, {
            "store_id": "S01", "sku_id": "A", "start": date.today().isoformat(), "end": date.today().isoformat(), "value": 0,
            "reason": "delisted today"}),
        ("DELETE", "/forecast/overrides/{id}"): ("manager", f"/forecast/overrides/{ids['override']}", {}, None),
        ("POST", "/ingest/{id}"): ("seller", "/ingest/sales", {}, {"file_name": "s.csv"}),
        ("POST", "/pricing-suggest"): ("seller", "/pricing-suggest", {}, {"sku_id": "A", "store_id": "S01"}),
        ("POST", "/pricing/simulate"): ("seller", "/pricing/simulate", {}, {"sku_id": "A", "store_id": "S01", "discount_pct": 5}),
        ("POST", "/proposals"): ("seller", "/proposals", {}, {"kind": "reorder", "sku_id": "A", "store_id": "S01", "quantity": 10}),
        ("POST", "/proposals/{id}/apply"): ("manager", f"/proposals/{ids['approved']}/apply", {}, None),
        ("POST", "/proposals/{id}/approve"): ("manager", f"/proposals/{ids['proposal']}/approve", {}, {"note": "fine"}),
        ("POST", "/proposals/{id}/reject"): ("manager", f"/proposals/{ids['proposal']}/reject", {}, {"note": "no"}),
        ("POST", "/recommendations"): ("seller", "/recommendations", {}, {"store_id": "S01"}),
        ("POST", "/upload-document"): ("seller", "/upload-document", {}, {"doc_type": "invoice", "file_name": "i.pdf"}),
        ("PUT", "/policy"): ("manager", "/policy", {}, None),
    }
    return table[(method, path)]


def _prepare(client, method, path, ids):
    """The request, ready to send (PUT /policy sends the policy it read)."""
    who, url, query, body = _request(method, path, ids)
    if (method, path) == ("PUT", "/policy"):
        body = client.get("/policy", headers={"Authorization": who}).json()
    return lambda: client.request(method, url, params=query, json=body, headers={"Authorization": who})


def _call(client, method, path, ids):
    return _prepare(client, method, path, ids)()


DEPENDENCIES = ["objects", "uploads", "engine", "forecasts", "registry", "endpoint", "decisions", "proposals", "alerts",
                "audit", "documents", "counter", "notifier", "cache", "storefront", "cognito"]


@pytest.mark.parametrize("method,path", route_table())
def test_every_route_request_here_is_a_valid_one(world, method, path):
    _, client, ids = world
    answer = _call(client, method, path, ids)
    assert answer.status_code < 300, answer.text


@pytest.mark.parametrize("dependency", DEPENDENCIES)
@pytest.mark.parametrize("method,path", route_table())
def test_every_route_answers_a_503_to_retry_or_falls_back_when_a_dependency_throttles(world, method, path, dependency):
    deps, client, ids = world
    send = _prepare(client, method, path, ids)
    getattr(deps, dependency).fail_next(aws_error("ThrottlingException", "Call"), times=1000)
    answer = send()
    assert answer.status_code != 500, answer.text
    if answer.status_code == 503:
        assert answer.headers["Retry-After"] == "2"
        assert "throttling" in answer.json()["error"] and "try again" in answer.json()["error"]
    else:
        assert answer.status_code < 300, answer.text  # served, or served by its fallback


def test_forecasts_fall_back_to_seasonal_naive_when_the_model_store_or_registry_fails(world):
    deps, client, ids = world
    for name in ("forecasts", "registry"):
        getattr(deps, name).fail_next(aws_error("ProvisionedThroughputExceededException", "Query"), times=10)
        answer = _call(client, "POST", "/forecast", ids)
        getattr(deps, name)._faults.clear()
        assert answer.status_code == 200
        item = answer.json()["forecasts"][0]
        assert item["method"] == "seasonal_naive_fallback"
        assert "cannot be read now" in item["note"]
        assert len(item["series"]) == 14 and item["series"][0]["date"] == "2024-04-01"


def test_a_longer_horizon_keeps_the_stored_days_when_the_endpoint_fails(world):
    deps, client, _ = world
    deps.endpoint.fail_next(aws_error("ModelNotReadyException", "InvokeEndpoint"), times=5)
    answer = client.post("/forecast", json={"store_id": "S01", "sku_ids": ["A"], "horizon_days": 60}, headers={"Authorization": "seller"})
    assert answer.status_code == 200
    item = answer.json()["forecasts"][0]
    assert item["method"] == "ml" and len(item["series"]) == 28
    assert "unavailable now" in item["note"]


def test_prices_fall_back_to_competitor_parity_when_elasticities_cannot_be_read(world, monkeypatch):
    deps, client, ids = world
    original = deps.decisions.get

    def failing_elasticity(tenant_id, key):
        if key.startswith(insights.ELASTICITY):
            raise _unavailable()
        return original(tenant_id, key)

    monkeypatch.setattr(deps.decisions, "get", failing_elasticity)
    answer = _call(client, "POST", "/pricing-suggest", ids)
    assert answer.status_code == 200
    body = answer.json()
    assert body["method"] == "fallback_competitor_parity"
    assert any("elasticities are unavailable" in n for n in body["notes"])


def _unavailable():
    from smartretail.adapters.aws_clients import unavailable

    return unavailable("DynamoDB", aws_error("ThrottlingException", "GetItem"))


def test_reorder_plans_fall_back_to_the_moving_average_when_forecasts_cannot_be_read(world):
    deps, client, ids = world
    deps.forecasts.fail_next(aws_error("ThrottlingException", "Query"), times=10)
    answer = _call(client, "POST", "/recommendations", ids)
    assert answer.status_code == 200
    body = answer.json()
    assert any("moving average" in n for n in body["notes"])
    reorder = [a for a in body["actions"] if a["type"] == "reorder"]
    assert reorder, body  # 20 on hand against ~13 a day and a 3-day lead time: still a reorder


def test_an_upload_refused_for_a_throttled_table_signs_nothing_and_its_retry_gets_the_slot(world):
    deps, client, _ = world
    deps.uploads.fail_next(aws_error("ThrottlingException", "TransactWriteItems"))
    headers = {"Authorization": "seller", "Idempotency-Key": "retry-me"}
    refused = client.post("/ingest/sales", json={"file_name": "s.csv"}, headers=headers)
    assert refused.status_code == 503 and "upload" not in refused.json()
    slot = client.post("/ingest/sales", json={"file_name": "s.csv"}, headers=headers)
    assert slot.status_code == 201 and slot.json()["upload"]["fields"]["key"]
    again = client.post("/ingest/sales", json={"file_name": "s.csv"}, headers=headers)
    assert again.json()["upload_id"] == slot.json()["upload_id"]
