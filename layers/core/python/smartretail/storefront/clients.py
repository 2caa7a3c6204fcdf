"""Storefront back ends as machine clients: an admin of a tenant registers one, Cognito issues it a
client id and secret for the client-credentials grant with the storefront scopes, and the registry
remembers which tenant it belongs to. Tokens name only the client; the tenant always comes from here,
never from the request. The secret is shown once, at creation (Cognito keeps it; we never store it)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Protocol

from pydantic import BaseModel, Field, field_validator

from ..auth import STOREFRONT_SCOPES
from ..errors import NotFound
from ..ports import ItemStore

# Lookups by client id live in a partition no tenant can have ('#' is not allowed in tenant ids).
LOOKUP_PARTITION = "#storefront-clients"


class NewClient(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 ._-]+$")
    scopes: list[str] = Field(default_factory=lambda: list(STOREFRONT_SCOPES), min_length=1)

    @field_validator("scopes")
    @classmethod
    def _known(cls, scopes: list[str]) -> list[str]:
        unknown = sorted(set(scopes) - set(STOREFRONT_SCOPES))
        if unknown:
            raise ValueError(f"unknown scope(s) {', '.join(unknown)}; use {', '.join(STOREFRONT_SCOPES)}")
        return list(dict.fromkeys(scopes))


class ClientIssuer(Protocol):
    def create(self, name: str, scopes: list[str]) -> tuple[str, str]:
        """A new app client allowed the client-credentials grant with these scopes: (client id, secret)."""

    def delete(self, client_id: str) -> None: ...


class StorefrontClients:
    def __init__(self, store: ItemStore, issuer: ClientIssuer, token_url: str):
        self.store, self.issuer, self.token_url = store, issuer, token_url

    def register(self, tenant_id: str, admin_id: str, request: NewClient) -> dict[str, Any]:
        client_id, secret = self.issuer.create(f"storefront-{tenant_id}-{request.name}"[:128], request.scopes)
        record = {"client_id": client_id, "name": request.name, "scopes": request.scopes, "created_by": admin_id,
                  "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.store.put(LOOKUP_PARTITION, client_id, {"tenant_id": tenant_id})
        self.store.put(tenant_id, f"storefront#client#{client_id}", record)
        return {**record, "client_secret": secret, "token_url": self.token_url,
                "note": "keep the secret now: it is not shown again. Ask the token URL with grant_type=client_credentials."}

    def list(self, tenant_id: str) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k not in ("version", "item_key")}
                for r in self.store.query(tenant_id, "storefront#client#")]

    def revoke(self, tenant_id: str, client_id: str) -> dict[str, Any]:
        if self.store.get(tenant_id, f"storefront#client#{client_id}") is None:
            raise NotFound(f"no storefront client {client_id!r} in this tenant", field="client_id")
        self.issuer.delete(client_id)
        self.store.delete_many(LOOKUP_PARTITION, [client_id])
        self.store.delete_many(tenant_id, [f"storefront#client#{client_id}"])
        return {"client_id": client_id, "revoked": True}

    def tenant_of(self, client_id: str) -> str | None:
        return client_tenant(self.store, client_id)


def client_tenant(store: ItemStore, client_id: str) -> str | None:
    """The tenant a registered machine client belongs to (None once revoked or never registered):
    what the storefront function needs of the registry, without the means to create clients."""
    found = store.get(LOOKUP_PARTITION, client_id)
    return found["tenant_id"] if found else None
