"""S3's checks on browser-based (presigned POST) uploads, in front of moto, which skips them.

Real S3 refuses a POST whose policy is expired, badly signed, or whose form or file breaks a
condition (exact key, content type, `content-length-range`). Without these checks a local upload
could succeed where AWS refuses it, so the local stack enforces them the way S3 does.
"""

import base64
import hashlib
import hmac
import io
import json
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from werkzeug.formparser import parse_form_data
from werkzeug.wrappers import Response

_IGNORED = {"file", "policy", "x-amz-signature"}


def _error(status: int, code: str, message: str) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(body, status=status, content_type="application/xml")


def _signature(secret: str, credential: str, policy_b64: str) -> str:
    _, day, region, service, _ = credential.split("/")
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()


def check_post(bucket: str, form: dict[str, str], file_size: int, secret: str) -> Response | None:
    """None when S3 would accept the upload, else the error response S3 would give."""
    policy_b64 = form.get("policy")
    if not policy_b64:
        return None  # an unsigned POST: left to moto (not something our API hands out)
    expected = _signature(secret, form.get("x-amz-credential", "////"), policy_b64)
    if not hmac.compare_digest(expected, form.get("x-amz-signature", "")):
        return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
    policy = json.loads(base64.b64decode(policy_b64))
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    if expiration < datetime.now(timezone.utc):
        return _error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {**form, "bucket": bucket}
    covered = {"bucket"}
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            (name, wanted), = condition.items()
            op, field = "eq", name.lower()
        else:
            op, field, wanted = condition[0].lower(), str(condition[1]).lstrip("$").lower(), condition[2]
        if op == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if file_size > high:
                return _error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if file_size < low:
                return _error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            continue
        covered.add(field)
        actual = values.get(field, "")
        if (op == "eq" and actual != wanted) or (op == "starts-with" and not actual.startswith(wanted)):
            return _error(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: [\"{op}\", \"${field}\", \"{wanted}\"]")
    extra = [f for f in form if f not in covered and f not in _IGNORED and not f.startswith("x-ignore-")]
    if extra:
        return _error(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return None


class PostPolicyMiddleware:
    def __init__(self, app: Callable, secret: str):
        self._app = app
        self._secret = secret

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        is_upload = (
            environ.get("REQUEST_METHOD") == "POST"
            and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
            and path.strip("/").count("/") == 0
            and path.strip("/")
        )
        if not is_upload:
            return self._app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        probe = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        _, form, files = parse_form_data(probe)
        fields = {k.lower(): v for k, v in form.items()}
        upload = files.get("file")
        size = len(upload.read()) if upload else 0
        refusal = check_post(path.strip("/"), fields, size, self._secret)
        if refusal is not None:
            if environ.get("HTTP_ORIGIN"):  # let a browser read the refusal, as S3 does for CORS buckets
                refusal.headers["Access-Control-Allow-Origin"] = environ["HTTP_ORIGIN"]
            return refusal(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        return self._app(environ, start_response)
