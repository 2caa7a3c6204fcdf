"""Cognito's token endpoint for machine clients, which moto does not have: `POST /oauth2/token` with
the client-credentials grant (client id and secret in HTTP Basic or in the form), answered as Cognito
answers it. Access tokens are signed with the emulator's own user-pool key, so the same JWKS
(`/{pool}/.well-known/jwks.json`) verifies them, and carry what Cognito's do: `client_id`, `scope`,
`token_use: access`, `sub` (the client), the pool as issuer, an hour of validity."""

import base64
import json
import time
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response


def _error(code: str, status: int = 400) -> Response:
    return Response(json.dumps({"error": code}), status=status, content_type="application/json")


def _find_client(client_id: str) -> tuple[Any, Any] | None:
    from moto.cognitoidp.models import cognitoidp_backends

    for regions in cognitoidp_backends.values():
        for backend in regions.values():
            for pool in backend.user_pools.values():
                if client_id in pool.clients:
                    return pool, pool.clients[client_id]
    return None


def issue_token(form: dict[str, str], authorization: str | None) -> Response:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    if authorization and authorization.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        except ValueError:
            return _error("invalid_client", 401)
    if form.get("grant_type") != "client_credentials":
        return _error("unsupported_grant_type")
    found = _find_client(client_id)
    if found is None or not found[1].generate_secret or found[1].secret != secret:
        return _error("invalid_client", 401)
    pool, client = found
    config = client.extended_config
    if "client_credentials" not in (config.get("AllowedOAuthFlows") or []) or not config.get("AllowedOAuthFlowsUserPoolClient"):
        return _error("unauthorized_client")
    allowed = list(config.get("AllowedOAuthScopes") or [])
    asked = form.get("scope", "").split() or allowed
    if not asked or set(asked) - set(allowed):
        return _error("invalid_scope")
    from joserfc import jwt

    now = int(time.time())
    minutes = int(config.get("AccessTokenValidity") or 60) if (config.get("TokenValidityUnits") or {}).get("AccessToken") == "minutes" else 60
    payload = {"sub": client_id, "token_use": "access", "scope": " ".join(asked), "auth_time": now, "iat": now,
               "exp": now + 60 * minutes, "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
               "version": 2, "jti": str(uuid.uuid4()), "client_id": client_id}
    token = jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, pool.json_web_key)
    return Response(json.dumps({"access_token": token, "expires_in": 60 * minutes, "token_type": "Bearer"}),
                    content_type="application/json")


class TokenEndpointMiddleware:
    def __init__(self, app: Callable):
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/oauth2/token":
            request = Request(environ)
            if request.method != "POST":
                return _error("invalid_request", 405)(environ, start_response)
            form = {k: v[-1] for k, v in parse_qs(request.get_data(as_text=True)).items()}
            return issue_token(form, request.headers.get("Authorization"))(environ, start_response)
        return self._app(environ, start_response)
