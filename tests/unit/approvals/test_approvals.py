"""The approval workflow: who may move a proposal where, what applying produces, expiry, audit."""

from datetime import datetime, timedelta, timezone

import pytest

from smartretail.adapters.memory import MemoryItemStore
from smartretail.auth import Principal
from smartretail.approvals import ProposalRequest, ProposalService
from smartretail.audit import AuditTrail
from smartretail.insights import store as insights
from smartretail.tenant_policy import TenantPolicy
from smartretail.errors import Conflict, Forbidden, NotFound

SELLER = Principal("u-seller", "t1", frozenset({"sellers"}))
MANAGER = Principal("u-manager", "t1", frozenset({"managers"}))
ADMIN = Principal("u-admin", "t1", frozenset({"admins"}))
OTHER = Principal("u-other", "t2", frozenset({"managers"}))


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def world():
    decisions, audit_items, clock = MemoryItemStore(), MemoryItemStore(), Clock()
    decisions.put_many("t1", {
        insights.position_key("S01", "BEV-001"): {
            "store_id": "S01", "sku_id": "BEV-001", "current_price": 2.0, "unit_cost": 1.2, "on_order": 0, "lead_time_days": 4},
        insights.position_key("S01", "NEW-001"): {  # no cost and no price in the data yet
            "store_id": "S01", "sku_id": "NEW-001", "current_price": None, "unit_cost": None, "on_order": 0, "lead_time_days": 4}})
    audit = AuditTrail(audit_items, clock)
    service = ProposalService(MemoryItemStore(), decisions, lambda tenant: TenantPolicy(), audit, clock)
    return service, audit, clock


def price(new_price):
    return ProposalRequest(kind="price", sku_id="bev-001", store_id="s01", new_price=new_price, reason="match competitors")


def test_a_seller_approves_and_applies_a_change_within_the_threshold_and_gets_the_shop_payload(world):
    service, audit, _ = world
    proposal = service.create(SELLER, price(2.05))  # 2.5%, under the 5% threshold
    assert proposal["status"] == "proposed"
    assert not proposal["needs_approval"]
    service.approve(SELLER, proposal["proposal_id"])
    applied = service.apply(SELLER, proposal["proposal_id"])
    assert applied["status"] == "applied"
    assert applied["payload"]["rows"][0]["new_price"] == 2.05
    assert service.payload_csv(SELLER, proposal["proposal_id"]).splitlines()[0].startswith("sku_id,store_id,new_price")
    history = audit.entries("t1", entity=proposal["proposal_id"])
    assert [e["action"] for e in history] == ["proposal.applied", "proposal.approved", "proposal.created"]
    assert history[0]["actor"] == "u-seller"
    assert history[0]["before"]["status"] == "approved"
    assert history[0]["after"]["status"] == "applied"


def test_a_change_over_the_threshold_needs_a_manager(world):
    service, audit, _ = world
    proposal = service.create(SELLER, price(2.4))  # 20%
    assert proposal["needs_approval"]
    with pytest.raises(Forbidden, match="a manager must approve"):
        service.approve(SELLER, proposal["proposal_id"])
    with pytest.raises(Conflict, match="only a approved proposal"):
        service.apply(SELLER, proposal["proposal_id"])
    assert service.approve(MANAGER, proposal["proposal_id"])["decided_by"] == "u-manager"
    assert service.apply(SELLER, proposal["proposal_id"])["status"] == "applied"


def test_only_managers_and_admins_reject_and_a_rejected_proposal_stays_rejected(world):
    service, _, _ = world
    proposal = service.create(SELLER, price(2.4))
    with pytest.raises(Forbidden):
        service.reject(SELLER, proposal["proposal_id"])
    service.reject(ADMIN, proposal["proposal_id"], "too steep")
    with pytest.raises(Conflict, match="is rejected"):
        service.approve(MANAGER, proposal["proposal_id"])


def test_a_reorder_over_the_value_threshold_needs_approval_and_applies_as_a_purchase_order(world):
    service, _, clock = world
    proposal = service.create(SELLER, ProposalRequest(kind="reorder", sku_id="BEV-001", store_id="S01", quantity=1000))
    assert proposal["order_value"] == 1200.0
    assert proposal["needs_approval"]
    service.approve(MANAGER, proposal["proposal_id"])
    row = service.apply(MANAGER, proposal["proposal_id"])["payload"]["rows"][0]
    assert row["quantity"] == 1000
    assert row["expected_arrival"] == (clock.now.date() + timedelta(days=4)).isoformat()


def test_proposals_not_applied_in_time_expire(world):
    service, audit, clock = world
    proposal = service.create(SELLER, price(2.05))
    clock.now += timedelta(days=8)
    assert service.get(SELLER, proposal["proposal_id"])["status"] == "expired"
    with pytest.raises(Conflict, match="is expired"):
        service.approve(MANAGER, proposal["proposal_id"])
    assert audit.entries("t1", entity=proposal["proposal_id"])[0]["actor"] == "system"


def test_the_same_idempotency_key_returns_the_same_proposal(world):
    service, _, _ = world
    first = service.create(SELLER, price(2.05), idempotency_key="abc")
    again = service.create(SELLER, price(2.05), idempotency_key="abc")
    assert first["proposal_id"] == again["proposal_id"]
    assert len(service.list(SELLER)) == 1


def test_another_tenant_cannot_see_or_move_a_proposal(world):
    service, _, _ = world
    proposal = service.create(SELLER, price(2.05))
    with pytest.raises(NotFound):
        service.get(OTHER, proposal["proposal_id"])
    with pytest.raises(NotFound):
        service.approve(OTHER, proposal["proposal_id"])
    assert service.list(OTHER) == []


def test_a_proposal_for_an_unknown_series_is_refused(world):
    service, _, _ = world
    with pytest.raises(NotFound, match="no sales history"):
        service.create(SELLER, ProposalRequest(kind="price", sku_id="NOPE", store_id="S01", new_price=2.0))


def test_a_price_proposal_needs_a_price_and_a_reorder_a_quantity():
    with pytest.raises(ValueError, match="needs new_price"):
        ProposalRequest(kind="price", sku_id="A", store_id="S", quantity=3)
    with pytest.raises(ValueError, match="needs quantity"):
        ProposalRequest(kind="reorder", sku_id="A", store_id="S", new_price=3)


def test_a_reorder_whose_worth_is_unknown_needs_a_manager(world):
    service, _, _ = world
    proposal = service.create(SELLER, ProposalRequest(kind="reorder", sku_id="NEW-001", store_id="S01", quantity=5))
    assert proposal["order_value"] is None
    assert proposal["needs_approval"]
    with pytest.raises(Forbidden):
        service.approve(SELLER, proposal["proposal_id"])
