"""Every route needs a valid token (401) and the right group (403)."""

import json
import time

import jwt
import pytest

from local_stack.stack import http_json
from cdk.constructs.api import api_routes


def _moto_signing_key():
    """The emulator's own signing key: a token signed with it is genuine in every way but its dates."""
    from moto.utilities.utils import load_resource

    return jwt.PyJWK(load_resource("moto.cognitoidp.models", "resources/jwks-private.json")).key


def _resigned_copy(token: str, expires_in: int) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) + expires_in)
    return jwt.encode(claims, _moto_signing_key(), algorithm="RS256", headers={"kid": jwt.get_unverified_header(token)["kid"]})


def test_every_route_of_the_template_is_served_and_guarded(local):
    served = {(r.method, r.resource) for r in local.gateway.routes if r.method != "OPTIONS"}
    assert served == set(api_routes()) | set(api_routes("copilot")) | set(api_routes("storefront"))
    for method, resource in sorted(served):
        status, body = http_json(method, local.api_url + resource.replace("{id}", "x"), body={} if method == "POST" else None)
        assert status == 401, (method, resource, body)


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer not.a.jwt", "garbage"])
def test_missing_or_malformed_tokens_are_unauthorized(local, authorization):
    status, _ = http_json("GET", f"{local.api_url}/me", headers={"Authorization": authorization} if authorization else None)
    assert status == 401


def test_an_expired_token_is_unauthorized(local):
    token = local.users.token("seller")
    status, _ = http_json("GET", f"{local.api_url}/me", _resigned_copy(token, expires_in=-3600))
    assert status == 401
    status, _ = http_json("GET", f"{local.api_url}/me", _resigned_copy(token, expires_in=600))
    assert status == 200  # same claims and key, only the expiry differs


def test_a_token_with_a_forged_signature_is_unauthorized(local):
    header, payload, _ = local.users.token("seller").split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["custom:tenant_id"] = "tenant-b"
    forged = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), _])
    status, _ = http_json("GET", f"{local.api_url}/me", forged)
    assert status == 401


def test_a_valid_token_identifies_tenant_and_groups(local):
    status, body = http_json("GET", f"{local.api_url}/me", "Bearer " + local.users.token("manager"))
    assert status == 200
    assert body["tenant_id"] == "tenant-a"
    assert body["groups"] == ["managers"]


def test_users_without_a_group_are_forbidden_everywhere(local):
    token = local.users.token("nogroup")
    for path in ("/me", "/ingest", "/kpis?start=2024-01-01&end=2024-01-02"):
        status, body = http_json("GET", local.api_url + path, token)
        assert status == 403, path
        assert "groups" in body["error"], path


def test_admins_read_but_cannot_upload_data(local):
    status, body = http_json("POST", f"{local.api_url}/ingest/sales", local.users.token("admin"), {"file_name": "s.csv"})
    assert status == 403
    assert body["error"] == "this action needs one of the groups: managers, sellers"
    status, _ = http_json("GET", f"{local.api_url}/ingest", local.users.token("admin"))
    assert status == 200


def test_unknown_routes_answer_like_api_gateway(local):
    status, body = http_json("DELETE", f"{local.api_url}/ingest/x", local.users.token("seller"))
    assert status == 403
    assert body == {"error": "Missing Authentication Token"}


def test_cors_preflights_and_gateway_errors_let_the_dashboard_read_answers(local):
    import urllib.request

    request = urllib.request.Request(f"{local.api_url}/kpis", method="OPTIONS", headers={"Origin": "http://127.0.0.1:8090"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8090"
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    import urllib.error

    try:
        urllib.request.urlopen(urllib.request.Request(f"{local.api_url}/me", headers={"Origin": "http://127.0.0.1:8090"}))
    except urllib.error.HTTPError as refused:
        assert refused.code == 401
        assert refused.headers["Access-Control-Allow-Origin"] == "*"
    else:
        pytest.fail("a request without a token was accepted")
    request = urllib.request.Request(f"{local.api_url}/me", headers={"Origin": "http://127.0.0.1:8090", "Authorization": local.users.token("seller")})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8090"
