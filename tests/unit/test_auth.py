import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from smartretail.auth import (STOREFRONT_EVENTS, STOREFRONT_READ, CognitoJwtVerifier, MachineClientVerifier, MachinePrincipal,
                             Principal, cognito_issuer)
from smartretail.errors import Forbidden, Unauthorized

POOL, CLIENT, REGION = "eu-west-1_pool", "client-1", "eu-west-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Signing:
    key = KEY.public_key()


@pytest.fixture
def verifier(monkeypatch):
    v = CognitoJwtVerifier(REGION, POOL, CLIENT)
    monkeypatch.setattr(v._jwks, "get_signing_key_from_jwt", lambda token: _Signing)  # no network
    return v


def _token(key=KEY, **overrides):
    now = int(time.time())
    claims = {"iss": cognito_issuer(REGION, POOL), "aud": CLIENT, "sub": "user-1", "token_use": "id",
              "iat": now, "exp": now + 600, "custom:tenant_id": "t1", "cognito:groups": ["sellers", "pirates"]}
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_valid_id_token_gives_the_tenant_and_known_groups(verifier):
    principal = verifier.verify("Bearer " + _token())
    assert principal == Principal(user_id="user-1", tenant_id="t1", groups=frozenset({"sellers"}))


@pytest.mark.parametrize(
    "token, message",
    [
        (None, "missing Authorization"),
        ("not-a-jwt", "invalid token"),
        (_token(exp=int(time.time()) - 60), "expired"),
        (_token(aud="another-client"), "invalid token"),
        (_token(iss="https://cognito-idp.eu-west-1.amazonaws.com/other"), "invalid token"),
        (_token(key=OTHER_KEY), "invalid token"),
        (_token(token_use="access"), "ID token"),
    ],
)
def test_bad_tokens_are_unauthorized(verifier, token, message):
    with pytest.raises(Unauthorized, match=message):
        verifier.verify(token)


def test_a_user_without_tenant_is_forbidden(verifier):
    with pytest.raises(Forbidden, match="no tenant"):
        verifier.verify(_token(**{"custom:tenant_id": None}))


@pytest.mark.parametrize("tenant", ["../t2", "t1/raw", "a" * 65, "t1 OR 1=1", "*", "t1\n"])
def test_a_tenant_id_outside_the_id_alphabet_is_forbidden(verifier, tenant):
    with pytest.raises(Forbidden, match="not a valid tenant id"):
        verifier.verify(_token(**{"custom:tenant_id": tenant}))


def test_group_checks_name_the_groups_needed():
    principal = Principal("u", "t", frozenset({"admins"}))
    with pytest.raises(Forbidden, match="managers, sellers"):
        principal.require_any(["sellers", "managers"])
    assert principal.require_any(["admins"]) is principal


# --- machine clients (storefront back ends) ----------------------------------------------------

@pytest.fixture
def machines(monkeypatch):
    v = MachineClientVerifier(REGION, POOL, {"shop-client": "t1", "odd-client": "not a tenant!"}.get)
    monkeypatch.setattr(v._tokens._jwks, "get_signing_key_from_jwt", lambda token: _Signing)
    return v


def _access(key=KEY, **overrides):
    claims = {"aud": None, "token_use": "access", "client_id": "shop-client", "sub": "shop-client",
              "scope": "storefront/read storefront/events", **overrides}
    return _token(key, **claims)


def test_a_machine_clients_access_token_gives_its_registered_tenant_and_scopes(machines):
    principal = machines.verify("Bearer " + _access())
    assert principal == MachinePrincipal("shop-client", "t1", frozenset({STOREFRONT_READ, STOREFRONT_EVENTS}))
    assert principal.require_scope(STOREFRONT_EVENTS) is principal


def test_a_tenant_claim_in_a_machine_token_is_ignored(machines):
    assert machines.verify("Bearer " + _access(**{"custom:tenant_id": "t2"})).tenant_id == "t1"


@pytest.mark.parametrize("token, error, message", [
    (_access(client_id="unknown-client"), Forbidden, "not registered to a tenant"),
    (_access(client_id="odd-client"), Forbidden, "not registered to a tenant"),
    (_access(token_use="id"), Unauthorized, "access token"),
    (_access(key=OTHER_KEY), Unauthorized, "invalid token"),
    (_access(exp=int(time.time()) - 60), Unauthorized, "expired"),
])
def test_bad_machine_tokens_are_refused(machines, token, error, message):
    with pytest.raises(error, match=message):
        machines.verify(f"Bearer {token}")


def test_a_missing_scope_is_named():
    with pytest.raises(Forbidden, match="storefront/events"):
        MachinePrincipal("c", "t1", frozenset({STOREFRONT_READ})).require_scope(STOREFRONT_EVENTS)
