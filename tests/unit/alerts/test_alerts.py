"""Alerts: evaluated from positions and forecasts, deduplicated, notified once, acted on."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from smartretail.adapters.memory import MemoryForecastStore, MemoryItemStore, MemoryModelRegistry
from smartretail.auth import Principal
from smartretail.alerts import AlertService, SnoozeRequest, evaluate
from smartretail.audit import AuditTrail
from smartretail.errors import Conflict, NotFound
from smartretail.insights import store as insights
from smartretail.pricing.service import PricingService
from smartretail.tenant_policy import POLICY, TenantPolicy, TenantPolicyStore

SELLER = Principal("u-seller", "t1", frozenset({"sellers"}))


class Notifier:
    def __init__(self):
        self.sent = []

    def publish(self, tenant_id, subject, message):
        self.sent.append((tenant_id, subject, message))


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def position(sku, on_hand, price=2.0, competitors=None, previous=None, recent=None):
    return {"store_id": "S01", "sku_id": sku, "category": "Beverages", "current_price": price, "unit_cost": 1.2,
            "last_sales_date": "2026-11-20", "on_hand": on_hand, "on_order": 0, "lead_time_days": 3,
            "competitor_prices": competitors or {}, "competitor_previous": previous or {}, "recent": recent or []}


@pytest.fixture
def world():
    items, forecasts, clock, notifier = MemoryItemStore(), MemoryForecastStore(), Clock(), Notifier()
    audit = AuditTrail(MemoryItemStore())
    policies = TenantPolicyStore(items, audit)
    decisions = SimpleNamespace(items=items, policies=policies,
                                pricing=PricingService(items, forecasts, MemoryModelRegistry(), policies))
    alerts = AlertService(MemoryItemStore(), audit, notifier, clock)
    recent = [{"date": "2026-11-19", "units": 9, "promo": False}, {"date": "2026-11-20", "units": 40, "promo": False}]
    promo_recent = [{"date": "2026-11-20", "units": 40, "promo": True}]
    items.put_many("t1", {
        insights.position_key("S01", "LOW-STOCK"): position("LOW-STOCK", on_hand=5),
        insights.position_key("S01", "PLENTY"): position("PLENTY", on_hand=500),
        insights.position_key("S01", "SPIKE"): position("SPIKE", on_hand=500, recent=recent),
        insights.position_key("S01", "PROMO"): position("PROMO", on_hand=500, recent=promo_recent),
        insights.position_key("S01", "PRICEY"): position("PRICEY", on_hand=500, price=3.0, competitors={"A": 2.0, "B": 2.1}),
        insights.position_key("S01", "UNDERCUT"): position("UNDERCUT", on_hand=500, competitors={"A": 1.6}, previous={"A": 2.0}),
        insights.position_key("S01", "UNKNOWN"): position("UNKNOWN", on_hand=None),
        insights.position_key("S02", "UNDERCUT"): {**position("UNDERCUT", on_hand=500, competitors={"A": 1.6}, previous={"A": 2.0}),
                                                   "store_id": "S02"},
    })
    start = datetime(2026, 11, 15).date()
    for store, sku in [("S01", s) for s in ("LOW-STOCK", "PLENTY", "SPIKE", "PROMO", "PRICEY", "UNDERCUT", "UNKNOWN")] + [("S02", "UNDERCUT")]:
        forecasts.put_series("t1", store, sku, [{"date": (start + timedelta(days=i)).isoformat(), "p10": 6, "p50": 10, "p90": 14,
                                                  "model_version": "fc-1"} for i in range(40)])
    return decisions, alerts, forecasts, notifier, clock


def run(decisions, forecasts, alerts):
    """The daily evaluation, as the evaluator Lambda wires it."""
    return evaluate("t1", decisions.policies.get("t1"), decisions.pricing, forecasts, alerts)


def kinds(alerts):
    return {(a["type"], a["sku_id"]) for a in alerts.list("t1")}


def test_the_evaluation_finds_stockout_risk_demand_spikes_and_price_anomalies(world):
    decisions, alerts, forecasts, notifier, _ = world
    counts = run(decisions, forecasts, alerts)
    assert counts["series"] == 8
    assert kinds(alerts) == {("stockout_risk", "LOW-STOCK"), ("demand_spike", "SPIKE"), ("price_anomaly", "PRICEY"),
                             ("competitor_price_drop", "UNDERCUT")}
    assert len(alerts.list("t1", kind="competitor_price_drop")) == 1  # one per SKU, though two stores sell it
    spike = alerts.list("t1", kind="demand_spike")[0]
    assert spike["details"]["date"] == "2026-11-20"  # a promotion explains PROMO's
    assert spike["details"]["z_score"] > 3
    assert len(notifier.sent) == 4
    assert all(t == "t1" for t, _, _ in notifier.sent)


def test_evaluating_again_refreshes_the_same_alerts_without_notifying_twice(world):
    decisions, alerts, forecasts, notifier, _ = world
    run(decisions, forecasts, alerts)
    run(decisions, forecasts, alerts)
    assert len(alerts.list("t1")) == 4
    assert len(notifier.sent) == 4
    assert {a["occurrences"] for a in alerts.list("t1")} == {2}


def test_thresholds_set_by_managers_change_what_is_raised(world):
    decisions, alerts, forecasts, _, _ = world
    decisions.items.put("t1", POLICY, TenantPolicy.model_validate(
        {"alerts": {"demand_spike_z": 50, "price_gap_pct": 60, "competitor_drop_pct": 50}}).model_dump())
    run(decisions, forecasts, alerts)
    assert kinds(alerts) == {("stockout_risk", "LOW-STOCK")}


def test_a_resolved_alert_that_recurs_opens_again_and_notifies(world):
    decisions, alerts, forecasts, notifier, _ = world
    run(decisions, forecasts, alerts)
    (stockout,) = alerts.list("t1", kind="stockout_risk")
    alerts.resolve(SELLER, stockout["alert_id"], "ordered")
    with pytest.raises(Conflict):
        alerts.acknowledge(SELLER, stockout["alert_id"])
    run(decisions, forecasts, alerts)
    assert alerts.list("t1", kind="stockout_risk")[0]["status"] == "open"
    assert len(notifier.sent) == 5


def test_a_snoozed_alert_stays_quiet_until_the_snooze_ends(world):
    decisions, alerts, forecasts, notifier, clock = world
    run(decisions, forecasts, alerts)
    (stockout,) = alerts.list("t1", kind="stockout_risk")
    alerts.snooze(SELLER, stockout["alert_id"], SnoozeRequest(hours=24))
    run(decisions, forecasts, alerts)
    assert alerts.list("t1", kind="stockout_risk")[0]["status"] == "snoozed"
    assert len(notifier.sent) == 4
    clock.now += timedelta(hours=25)
    assert alerts.list("t1", kind="stockout_risk")[0]["status"] == "open"
    run(decisions, forecasts, alerts)
    assert len(notifier.sent) == 5


def test_the_document_pipelines_hook_raises_a_compliance_alert(world):
    _, alerts, _, notifier, _ = world
    alert = alerts.document_failed("t1", "doc-1", "invoice", ["GSTIN check digit is wrong"])
    assert alert["type"] == "compliance_failure"
    assert alert["severity"] == "high"
    assert notifier.sent


def test_another_tenant_cannot_act_on_an_alert(world):
    decisions, alerts, forecasts, _, _ = world
    run(decisions, forecasts, alerts)
    some = alerts.list("t1")[0]
    with pytest.raises(NotFound):
        alerts.acknowledge(Principal("x", "t2", frozenset({"managers"})), some["alert_id"])
    assert alerts.list("t2") == []


class _Subscriptions:
    def __init__(self):
        self.made = []

    def publish(self, tenant_id, subject, message):
        pass

    def subscribe(self, tenant_id, email, alert_types=None):
        self.made.append((tenant_id, email, alert_types))
        return "pending confirmation"


def test_managers_subscribe_an_address_to_their_own_tenants_alerts_only_and_it_is_audited():
    from smartretail.adapters.memory import MemoryItemStore
    from smartretail.alerts import AlertService, SubscribeRequest
    from smartretail.audit import AuditTrail
    from smartretail.errors import Forbidden

    notifier, audit_items = _Subscriptions(), MemoryItemStore()
    alerts = AlertService(MemoryItemStore(), AuditTrail(audit_items), notifier)
    manager = Principal("m", "t1", frozenset({"managers"}))
    answer = alerts.subscribe(manager, SubscribeRequest(email="ops@shop.example"))
    assert answer["status"] == "pending_confirmation"
    assert notifier.made == [("t1", "ops@shop.example", None)]
    (entry,) = AuditTrail(audit_items).entries("t1")
    assert entry["action"] == "alerts.subscribed" and entry["after"] == {"email": "o***@shop.example", "alert_types": "all"}
    # "Alert me on stockout risk": one kind only.
    answer = alerts.subscribe(manager, SubscribeRequest(email="buyer@shop.example", alert_types=["stockout_risk"]))
    assert answer["alert_types"] == ["stockout_risk"] and notifier.made[-1] == ("t1", "buyer@shop.example", ["stockout_risk"])
    with pytest.raises(ValueError):
        SubscribeRequest(email="buyer@shop.example", alert_types=["everything"])
    with pytest.raises(Forbidden):
        alerts.subscribe(Principal("s", "t1", frozenset({"sellers"})), SubscribeRequest(email="me@shop.example"))
    with pytest.raises(ValueError):
        SubscribeRequest(email="not an address")


@pytest.mark.parametrize("kind, details, reason, action", [
    ("stockout_risk", {"suggested_order": 12.0, "on_hand": 3.0, "reorder_point": 9.5, "explanation": "63% in the next 7 days"},
     "63% in the next 7 days", "order 12 units now (on hand 3, reorder point 9.5)"),
    ("stockout_risk", {"suggested_order": 0, "on_hand": 3.0, "reorder_point": 9.5, "explanation": "31% in the next 7 days"},
     "31% in the next 7 days", "check the stock count and orders on the way: the plan suggests no order"),
    ("price_anomaly", {"price": 5.0, "gap_pct": 22.0, "band": [3.0, 4.1]}, "our price 5.0 is 22.0% outside the competitor band 3.0-4.1",
     "review the price on the pricing page: the recommendation stays inside the guardrails"),
    ("compliance_failure", {"reasons": ["the total says 10", "a digit is mistyped"]}, "the total says 10; a digit is mistyped",
     "hold payment; review the document and ask the supplier for a corrected one"),
])
def test_every_alert_says_why_and_what_to_do(kind, details, reason, action):
    from smartretail.alerts import advice

    assert advice({"type": kind, "details": details}) == {"reason": reason, "recommended_action": action}
