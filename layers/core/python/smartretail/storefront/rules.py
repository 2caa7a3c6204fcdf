"""A tenant's storefront rules, set by its managers or admins and applied to every list and search
page within a minute: sellers whose items are never shown. Light on purpose: the API function reads
and writes them without the storefront's search dependencies."""

from typing import Any

from pydantic import BaseModel, Field, field_validator

from ..ports import ItemStore

RULES_KEY = "storefront#rules"


class StorefrontRules(BaseModel):
    """A tenant's serving rules, set by its managers or admins: sellers whose items are never shown."""

    model_config = {"extra": "forbid"}

    banned_sellers: list[str] = Field(default_factory=list, max_length=1000)

    @field_validator("banned_sellers")
    @classmethod
    def _ids(cls, sellers: list[str]) -> list[str]:
        cleaned = sorted({s.strip() for s in sellers if s.strip()})
        if any(len(s) > 64 for s in cleaned):
            raise ValueError("a seller id is at most 64 characters")
        return cleaned


class StorefrontRulesStore:
    def __init__(self, store: ItemStore, audit: Any = None):
        self.store, self.audit = store, audit

    def get(self, tenant_id: str) -> StorefrontRules:
        found = self.store.get(tenant_id, RULES_KEY)
        return StorefrontRules(banned_sellers=found["banned_sellers"]) if found else StorefrontRules()

    def put(self, principal: Any, rules: StorefrontRules) -> StorefrontRules:
        before = self.get(principal.tenant_id)
        self.store.put(principal.tenant_id, RULES_KEY, rules.model_dump())
        if self.audit is not None:
            self.audit.record(principal, "storefront_rules.update", "storefront", before=before.model_dump(), after=rules.model_dump())
        return rules
