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

    def claims(self, token: str) -> dict[str, Any]:
        jwt = self._jwt
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_id,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "token_use"], "verify_aud": self._client_id is not None},
                leeway=5,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired: sign in again") from None
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        if claims.get("token_use") != "id":
            raise Unauthorized("send the ID token, not the access token")
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
