"""Machine clients: registered to the admin's tenant, the secret shown once, listed without it,
revoked by their own tenant only."""

import pytest
from pydantic import ValidationError

from smartretail.adapters.memory import MemoryClientIssuer, MemoryItemStore
from smartretail.errors import NotFound
from smartretail.storefront.clients import NewClient, StorefrontClients


@pytest.fixture
def clients():
    return StorefrontClients(MemoryItemStore(), MemoryClientIssuer(), "https://auth.example/oauth2/token")


def test_a_registered_client_belongs_to_the_admins_tenant(clients):
    created = clients.register("t1", "admin-1", NewClient(name="web shop"))
    assert created["client_secret"] and created["token_url"].endswith("/oauth2/token")
    assert clients.tenant_of(created["client_id"]) == "t1"
    assert [c["name"] for c in clients.list("t1")] == ["web shop"] and clients.list("t2") == []
    assert "client_secret" not in clients.list("t1")[0]


def test_another_tenant_cannot_revoke_a_client_and_a_revoked_one_has_no_tenant(clients):
    created = clients.register("t1", "admin-1", NewClient(name="web shop", scopes=["storefront/read"]))
    with pytest.raises(NotFound):
        clients.revoke("t2", created["client_id"])
    clients.revoke("t1", created["client_id"])
    assert clients.tenant_of(created["client_id"]) is None and clients.issuer.clients == {}


def test_unknown_scopes_and_odd_names_are_refused():
    with pytest.raises(ValidationError, match="unknown scope"):
        NewClient(name="x", scopes=["storefront/admin"])
    with pytest.raises(ValidationError):
        NewClient(name="<script>")
