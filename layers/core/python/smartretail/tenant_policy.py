"""A tenant's decision policy: pricing guardrails, inventory targets, approval thresholds and alert
thresholds. Managers change it through the API; every change is audited. A tenant that never set
one gets these defaults. It is one item of the decisions table."""

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .audit import AuditTrail
from .auth import Principal
from .ports import ItemStore
from .pricing.recommend import PricingPolicy

POLICY = "policy"  # the item's key in the decisions table


class InventorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_level: float = Field(default=0.95, ge=0.5, lt=1, description="target probability of no stockout per cycle")
    review_days: int = Field(default=1, ge=1, le=28, description="how often orders can be placed")
    default_lead_time_days: int = Field(default=7, ge=0, le=180, description="when the inventory feed gives none")
    ordering_cost: float | None = Field(default=None, gt=0, description="cost per order; with holding_cost_pct enables EOQ")
    holding_cost_pct: float | None = Field(default=None, gt=0, le=200, description="yearly holding cost, % of unit cost")


class ApprovalThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price_change_pct: float = Field(default=5.0, ge=0, le=100,
                                    description="price changes larger than this need a manager's approval")
    reorder_value: float = Field(default=1000.0, ge=0, description="orders worth more than this (at cost) need a manager")
    proposal_ttl_days: int = Field(default=7, ge=1, le=90, description="proposals not applied within this expire")


class AlertThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stockout_risk: float = Field(default=0.3, gt=0, lt=1, description="alert when the 7-day stockout probability exceeds this")
    demand_spike_z: float = Field(default=3.0, gt=0, description="alert when actual demand is this many sds above forecast")
    price_gap_pct: float = Field(default=10.0, gt=0, description="alert when our price is this far outside the competitor band")
    competitor_drop_pct: float = Field(default=10.0, gt=0, description="alert when a competitor cuts its price by this much")


class TenantPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pricing: PricingPolicy = Field(default_factory=PricingPolicy)
    inventory: InventorySettings = Field(default_factory=InventorySettings)
    approvals: ApprovalThresholds = Field(default_factory=ApprovalThresholds)
    alerts: AlertThresholds = Field(default_factory=AlertThresholds)


class TenantPolicyStore:
    """Reads and writes a tenant's policy; a change is a conditional write (no lost update) and audited."""

    def __init__(self, items: ItemStore, audit: AuditTrail | None):
        self._items = items
        self._audit = audit

    def get(self, tenant_id: str) -> TenantPolicy:
        # Read every time, never kept: a tightened approval threshold holds from the next request on.
        stored = self._items.get(tenant_id, POLICY)
        if not stored:
            return TenantPolicy()
        return TenantPolicy.model_validate({k: v for k, v in stored.items() if k in TenantPolicy.model_fields})

    def set(self, principal: Principal, policy: TenantPolicy) -> dict[str, Any]:
        if self._audit is None:
            raise RuntimeError("this TenantPolicyStore only reads: a change needs the audit trail")
        before = self._items.get(principal.tenant_id, POLICY)
        body = {**policy.model_dump(), "updated_by": principal.user_id,
                "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        stored = self._items.put(principal.tenant_id, POLICY, body,
                                 **({"if_version": before["version"]} if before else {"if_absent": True}))
        self._audit.record(principal, "policy.updated", POLICY, before=_strip(before), after=_strip(stored))
        return {**policy.model_dump(), "updated_by": principal.user_id, "updated_at": body["updated_at"]}


def _strip(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in item.items() if k not in ("item_key",)} if item else None
