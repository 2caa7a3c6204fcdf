"""Price changes and reorders as proposals: proposed -> approved | rejected -> applied | expired.

Anyone in the tenant may propose. A proposal within the tenant's thresholds (price change, order
value) may be approved by the seller who works it; one beyond them needs a manager or an admin.
Applying an approved proposal produces the rows a seller sends to their shop or purchasing system.
Proposals not applied within the policy's time to live expire. Every transition is audited.

Standard library and pydantic only: this runs in the API Lambda.
"""

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from .audit import SYSTEM, AuditTrail
from .auth import ADMINS, MANAGERS, Principal
from .errors import Conflict, Forbidden, NotFound
from .insights import store as insights
from .lake import stored_id
from .ports import ItemStore
from .spreadsheet import csv_text
from .tenant_policy import TenantPolicy

PROPOSAL = "proposal#"
IDEMPOTENCY = "idem#"
Status = Literal["proposed", "approved", "rejected", "applied", "expired"]
OPEN = ("proposed", "approved")


class ProposalRequest(BaseModel):
    kind: Literal["price", "reorder"]
    sku_id: str = Field(min_length=1, max_length=64)
    store_id: str = Field(min_length=1, max_length=64)
    new_price: float | None = Field(default=None, gt=0, le=1_000_000, description="for a price change")
    quantity: int | None = Field(default=None, gt=0, le=1_000_000, description="units to order, for a reorder")
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("sku_id", "store_id")
    @classmethod
    def _ids(cls, value: str, info) -> str:
        return stored_id(value, info.field_name)

    @model_validator(mode="after")
    def _kind_fields(self) -> "ProposalRequest":
        if self.kind == "price" and (self.new_price is None or self.quantity is not None):
            raise ValueError("a price proposal needs new_price (and no quantity)")
        if self.kind == "reorder" and (self.quantity is None or self.new_price is not None):
            raise ValueError("a reorder proposal needs quantity (and no new_price)")
        return self


class DecisionNote(BaseModel):
    note: str | None = Field(default=None, max_length=500)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ProposalService:
    def __init__(self, proposals: ItemStore, decisions: ItemStore, policy: Callable[[str], TenantPolicy], audit: AuditTrail,
                 clock: Callable[[], datetime] = _now):
        self._proposals = proposals
        self._decisions = decisions
        self._policy = policy
        self._audit = audit
        self._clock = clock

    def create(self, principal: Principal, request: ProposalRequest, idempotency_key: str | None = None) -> dict[str, Any]:
        tenant = principal.tenant_id
        if idempotency_key:
            marker = self._proposals.get(tenant, IDEMPOTENCY + idempotency_key)
            if marker:
                return self.get(principal, marker["proposal_id"])
        position = self._decisions.get(tenant, insights.position_key(request.store_id, request.sku_id))
        if position is None:
            raise NotFound(f"no sales history for SKU {request.sku_id} in store {request.store_id}")
        thresholds = self._policy(tenant).approvals
        now = self._clock()
        proposal: dict[str, Any] = {
            "proposal_id": f"pr-{uuid.uuid4().hex[:12]}", "kind": request.kind,
            "store_id": request.store_id, "sku_id": request.sku_id, "reason": request.reason, "status": "proposed",
            "created_by": principal.user_id, "created_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + timedelta(days=thresholds.proposal_ttl_days)).isoformat(timespec="seconds"),
        }
        if request.kind == "price":
            current = position.get("current_price")
            change = abs(request.new_price / current - 1) * 100 if current else 100.0
            proposal.update(before={"price": current}, after={"price": round(request.new_price, 2)},
                            change_pct=round(change, 2), needs_approval=change > thresholds.price_change_pct,
                            threshold=f"price changes over {thresholds.price_change_pct:g}% need a manager")
        else:
            unit = position.get("unit_cost") or position.get("current_price")
            value = request.quantity * float(unit) if unit else None  # an order of unknown worth is never "small"
            proposal.update(before={"on_order": position.get("on_order") or 0}, after={"quantity": request.quantity},
                            order_value=round(value, 2) if value is not None else None,
                            needs_approval=value is None or value > thresholds.reorder_value,
                            lead_time_days=position.get("lead_time_days"), unit_cost=position.get("unit_cost"),
                            threshold=f"orders worth over {thresholds.reorder_value:g} need a manager" if value is not None
                            else "the order's worth is unknown (no unit cost or price in the data): a manager must approve")
        if idempotency_key:
            try:
                self._proposals.put(tenant, IDEMPOTENCY + idempotency_key, {"proposal_id": proposal["proposal_id"]}, if_absent=True)
            except Conflict:  # a concurrent request with the same key won
                marker = self._proposals.get(tenant, IDEMPOTENCY + idempotency_key)
                return self.get(principal, marker["proposal_id"])
        stored = self._proposals.put(tenant, PROPOSAL + proposal["proposal_id"], proposal, if_absent=True)
        self._audit.record(principal, "proposal.created", proposal["proposal_id"], after=_public(stored))
        return _public(stored)

    def get(self, principal: Principal, proposal_id: str) -> dict[str, Any]:
        return _public(self._load(principal.tenant_id, proposal_id))

    def list(self, principal: Principal, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        found = [self._expire_if_due(principal.tenant_id, p) for p in self._proposals.query(principal.tenant_id, PROPOSAL)]
        found = [p for p in found if status is None or p["status"] == status]
        return [_public(p) for p in sorted(found, key=lambda p: p["created_at"], reverse=True)[:limit]]

    def approve(self, principal: Principal, proposal_id: str, note: str | None = None) -> dict[str, Any]:
        proposal = self._load(principal.tenant_id, proposal_id)
        if proposal["needs_approval"] and not principal.groups & {MANAGERS, ADMINS}:
            raise Forbidden(f"this change is over the tenant's threshold ({proposal['threshold']}): a manager must approve it")
        return self._move(principal, proposal, ("proposed",), "approved",
                          {"decided_by": principal.user_id, "decision_note": note})

    def reject(self, principal: Principal, proposal_id: str, note: str | None = None) -> dict[str, Any]:
        principal.require_any((MANAGERS, ADMINS))
        proposal = self._load(principal.tenant_id, proposal_id)
        return self._move(principal, proposal, OPEN, "rejected", {"decided_by": principal.user_id, "decision_note": note})

    def apply(self, principal: Principal, proposal_id: str) -> dict[str, Any]:
        proposal = self._load(principal.tenant_id, proposal_id)
        return self._move(principal, proposal, ("approved",), "applied",
                          {"applied_by": principal.user_id, "payload": _payload(proposal, self._clock().date())})

    def payload_csv(self, principal: Principal, proposal_id: str) -> str:
        proposal = self._load(principal.tenant_id, proposal_id)
        if proposal["status"] != "applied":
            raise Conflict(f"proposal {proposal_id} is {proposal['status']}: only an applied one has a payload")
        rows = proposal["payload"]["rows"]
        return csv_text(list(rows[0]), ([row.get(name) for name in rows[0]] for row in rows))

    # -- internals ----------------------------------------------------------------------------
    def _load(self, tenant_id: str, proposal_id: str) -> dict[str, Any]:
        proposal = self._proposals.get(tenant_id, PROPOSAL + proposal_id)
        if proposal is None:  # another tenant's proposal is simply not found
            raise NotFound(f"no proposal {proposal_id}")
        return self._expire_if_due(tenant_id, proposal)

    def _expire_if_due(self, tenant_id: str, proposal: dict[str, Any]) -> dict[str, Any]:
        if proposal["status"] in OPEN and self._clock().isoformat(timespec="seconds") > proposal["expires_at"]:
            try:
                return self._store(SYSTEM, tenant_id, proposal, "expired", {})
            except Conflict:
                return self._proposals.get(tenant_id, PROPOSAL + proposal["proposal_id"])
        return proposal

    def _move(self, principal: Principal, proposal: dict[str, Any], allowed_from: tuple[str, ...], to: str,
              changes: dict[str, Any]) -> dict[str, Any]:
        if proposal["status"] not in allowed_from:
            raise Conflict(f"proposal {proposal['proposal_id']} is {proposal['status']}: only a "
                           f"{' or '.join(allowed_from)} proposal can become {to}")
        return _public(self._store(principal, principal.tenant_id, proposal, to, changes))

    def _store(self, actor: Principal | str, tenant_id: str, proposal: dict[str, Any], to: str,
               changes: dict[str, Any]) -> dict[str, Any]:
        at = self._clock().isoformat(timespec="seconds")
        updated = {**{k: v for k, v in proposal.items() if k not in ("version", "item_key")}, **changes,
                   "status": to, f"{to}_at": at}
        stored = self._proposals.put(tenant_id, PROPOSAL + proposal["proposal_id"], updated, if_version=proposal["version"])
        self._audit.record(actor, f"proposal.{to}", proposal["proposal_id"], before=_public(proposal), after=_public(stored),
                           tenant_id=tenant_id)
        return stored


def _payload(proposal: dict[str, Any], today: date) -> dict[str, Any]:
    """What the seller's shop (price update) or purchasing system (purchase order line) takes."""
    if proposal["kind"] == "price":
        return {"format": "price_update", "rows": [{
            "sku_id": proposal["sku_id"], "store_id": proposal["store_id"], "new_price": proposal["after"]["price"],
            "old_price": proposal["before"]["price"], "effective_date": today.isoformat(), "proposal_id": proposal["proposal_id"]}]}
    lead = proposal.get("lead_time_days")
    return {"format": "purchase_order", "rows": [{
        "sku_id": proposal["sku_id"], "store_id": proposal["store_id"], "quantity": proposal["after"]["quantity"],
        "unit_cost": proposal.get("unit_cost"), "order_date": today.isoformat(),
        "expected_arrival": (today + timedelta(days=int(lead))).isoformat() if lead is not None else None,
        "proposal_id": proposal["proposal_id"]}]}


def _public(proposal: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in proposal.items() if k not in ("item_key",)}
