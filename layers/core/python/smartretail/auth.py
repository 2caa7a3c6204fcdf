"""Who is calling: Cognito ID tokens verified against the user pool's JWKS.

The API Lambda verifies every token itself (defence in depth behind API Gateway's Cognito
authorizer), and the local stack's emulated API Gateway uses this same verifier as its authorizer.
"""

import os
from dataclasses import dataclass
from typing import Any, Iterable

from .errors import Forbidden, Unauthorized
from .lake import is_id

SELLERS, MANAGERS, ADMINS = "sellers", "managers", "admins"
ALL_GROUPS = frozenset({SELLERS, MANAGERS, ADMINS})
TENANT_CLAIM = "custom:tenant_id"


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    groups: frozenset[str]

    def require_any(self, allowed: Iterable[str]) -> "Principal":
        allowed = frozenset(allowed)
        if not self.groups & allowed:
            raise Forbidden(f"this action needs one of the groups: {', '.join(sorted(allowed))}")
        return self


def cognito_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url(region: str, user_pool_id: str) -> str:
    # AWS_ENDPOINT_URL points every client at the local emulator; the issuer stays the AWS form.
    base = os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP") or os.environ.get("AWS_ENDPOINT_URL")
    if base:
        return f"{base.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
    return f"{cognito_issuer(region, user_pool_id)}/.well-known/jwks.json"


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.strip():
        raise Unauthorized("missing Authorization header: send the ID token from sign-in")
    value = authorization.strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    return value


class CognitoJwtVerifier:
    def __init__(self, region: str, user_pool_id: str, client_id: str | None):
        """`client_id=None` accepts ID tokens of any client of the pool, as API Gateway's
        Cognito authorizer does; the API Lambda always pins its own client."""
        import jwt

        self._jwt = jwt
        self._issuer = cognito_issuer(region, user_pool_id)
        self._client_id = client_id
        self._jwks = jwt.PyJWKClient(jwks_url(region, user_pool_id), cache_keys=True, lifespan=3600)

    def claims(self, token: str, token_use: str = "id") -> dict[str, Any]:
        jwt = self._jwt
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id if token_use == "id" else None,
                issuer=self._issuer,
                # Access tokens carry no audience: the client they were issued to is `client_id`.
                options={"require": ["exp", "iat", "sub", "token_use"], "verify_aud": token_use == "id" and self._client_id is not None},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired: sign in again") from None
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        if claims.get("token_use") != token_use:
            raise Unauthorized("send the ID token, not the access token" if token_use == "id" else
                               "send an access token from the client-credentials grant, not an ID token")
        return claims

    def verify(self, authorization: str | None) -> Principal:
        claims = self.claims(bearer_token(authorization))
        tenant_id = claims.get(TENANT_CLAIM)
        if not tenant_id:
            raise Forbidden("this user belongs to no tenant; ask an admin to set custom:tenant_id")
        if not is_id(tenant_id):  # it becomes part of every key and query of the tenant
            raise Forbidden("this user's custom:tenant_id is not a valid tenant id (1-64 letters, digits, '_', '-', '.'); "
                            "ask an admin to correct it")
        groups = claims.get("cognito:groups") or []
        if isinstance(groups, str):
            groups = [groups]
        return Principal(user_id=claims["sub"], tenant_id=tenant_id, groups=frozenset(groups) & ALL_GROUPS)


# Machine clients (storefront back ends): Cognito app clients with the client-credentials grant and
# resource-server scopes. Their access tokens name the client, never a tenant: the tenant is the one the
# client was registered to by an admin of that tenant (MachineClientVerifier's `tenant_of`).
STOREFRONT_READ, STOREFRONT_EVENTS = "storefront/read", "storefront/events"
STOREFRONT_SCOPES = (STOREFRONT_READ, STOREFRONT_EVENTS)


@dataclass(frozen=True)
class MachinePrincipal:
    client_id: str
    tenant_id: str
    scopes: frozenset[str]

    @property
    def user_id(self) -> str:  # what throttling and logs key a caller by
        return self.client_id

    def require_scope(self, scope: str) -> "MachinePrincipal":
        if scope not in self.scopes:
            raise Forbidden(f"this call needs the {scope} scope; ask for it when requesting the token (the client must allow it)")
        return self


class MachineClientVerifier:
    """Verifies access tokens of the pool (signature, issuer, expiry, token_use) and maps their
    client to its tenant; a client no tenant registered is refused."""

    def __init__(self, region: str, user_pool_id: str, tenant_of: Any):
        self._tokens = CognitoJwtVerifier(region, user_pool_id, client_id=None)
        self._tenant_of = tenant_of

    def verify(self, authorization: str | None) -> MachinePrincipal:
        claims = self._tokens.claims(bearer_token(authorization), token_use="access")
        client_id = claims.get("client_id") or ""
        tenant_id = self._tenant_of(client_id) if client_id else None
        if not tenant_id or not is_id(tenant_id):
            raise Forbidden("this client is not registered to a tenant; an admin registers storefront clients with "
                            "POST /admin/storefront-clients")
        return MachinePrincipal(client_id, tenant_id, frozenset(str(claims.get("scope", "")).split()))
