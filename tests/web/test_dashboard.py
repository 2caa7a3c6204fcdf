"""The dashboard's defences: every value from the API is escaped before it becomes HTML (web/app.js run
in Node against an API whose every string is markup), the ID token never reaches web storage, and
the page is served under a Content-Security-Policy."""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from local_stack.dashboard import serve_dashboard

HERE = Path(__file__).parent


def _render(*args):
    node = shutil.which("node")
    assert node, "node is installed by ./dev"
    out = subprocess.run([node, str(HERE / "render_dashboard.js"), *args], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def rendered():
    return _render()


def test_markup_in_any_api_value_is_shown_as_text_never_run(rendered):
    html = rendered["html"]
    filled = {k for k, v in html.items() if v}
    assert {"tiles", "chart", "uploads", "alerts", "documents", "proposals", "actions", "price-result", "upload-preview"} <= filled
    for panel, content in html.items():
        assert "<img" not in content, f"{panel} holds live markup from data: {content[:200]}"
        assert 'onerror="' not in content, panel
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html["uploads"]


def test_the_upload_form_previews_the_file_then_uploads_it_with_the_choices_made(rendered):
    calls = [c for c in rendered["apiCalls"] if c["route"].startswith("/ingest/sales")]
    preview, upload = calls[0], calls[1]
    assert (preview["route"], preview["method"]) == ("/ingest/sales/preview", "POST")
    assert preview["body"]["file_name"] == "sales.csv" and preview["body"]["content_base64"] == "aGk=" and preview["body"]["complete"]
    assert (upload["route"], upload["method"]) == ("/ingest/sales", "POST")
    assert upload["body"]["options"]["date_order"] == "day_first"


def test_the_id_token_is_kept_in_memory_only(rendered):
    assert rendered["storage"] == []
    assert "· tenant" in rendered["text"]["who"]  # signed in all the same


def test_a_first_sign_in_sets_up_the_authenticator_app_then_signs_in():
    page = _render("mfa")
    assert "JBSWY3DPEHPK3PXP" in page["prompt"]  # the key to add to the app
    calls = [(c["action"], c["request"].get("Session"), c["request"].get("ChallengeName")) for c in page["cognitoCalls"]]
    assert calls == [("InitiateAuth", None, None), ("AssociateSoftwareToken", "s1", None), ("VerifySoftwareToken", "s2", None),
                     ("RespondToAuthChallenge", "s3", "MFA_SETUP")]
    assert page["cognitoCalls"][2]["request"]["UserCode"] == "123456"
    assert "· tenant" in page["text"]["who"]
    assert page["storage"] == []


@pytest.mark.loopback
def test_the_dashboard_is_served_under_a_content_security_policy():
    server = serve_dashboard(0, {"apiUrl": "http://127.0.0.1:8080/v1", "cognitoEndpoint": "http://127.0.0.1:5000/",
                                 "uploadOrigins": ["http://127.0.0.1:5000"], "clientId": "c"})
    try:
        port = server.server_address[1]
        for page in ("/", "/app.js", "/config.js"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=5) as response:
                policy = response.headers["Content-Security-Policy"]
                assert "script-src 'self'" in policy and "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
                assert "connect-src http://127.0.0.1:5000 http://127.0.0.1:8080;" in policy
                assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.shutdown()
