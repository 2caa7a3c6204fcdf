"""An emulated API Gateway REST API: routes, Cognito authorizer and Lambda proxy integration are
read from the template; requests become the same proxy events API Gateway sends."""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from smartretail.auth import CognitoJwtVerifier, bearer_token
from smartretail.errors import DomainError

from .functions import InvocationError, LocalFunction
from .template import Template


@dataclass(frozen=True)
class Route:
    method: str
    resource: str              # e.g. /ingest/{id}
    pattern: re.Pattern
    function: LocalFunction | None  # None for a MOCK integration (CORS preflight)
    authorizer_pool: str | None  # user pool id when a Cognito authorizer guards the route
    mock_status: int = 200
    mock_headers: tuple[tuple[str, str], ...] = ()
    # OAuth scopes the route's Cognito authorizer asks of the token: then only access tokens carrying
    # one of them pass (API Gateway refuses ID tokens there); none: ID tokens, as for people.
    scopes: tuple[str, ...] = ()


def _static_headers(parameters: dict[str, str], prefix: str) -> tuple[tuple[str, str], ...]:
    """'method.response.header.X': "'v'" -> ("X", "v"): API Gateway's quoted static values."""
    return tuple((k.removeprefix(prefix), v.strip("'")) for k, v in parameters.items() if k.startswith(prefix))


def _integration_function(method_props: dict[str, Any]) -> str | None:
    """The logical ID of the function inside an AWS_PROXY integration URI."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Fn::GetAtt" in node:
                found.append(node["Fn::GetAtt"][0])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(method_props.get("Integration", {}).get("Uri"))
    return found[0] if found else None


def read_routes(t: Template, functions: dict[str, LocalFunction]) -> list[Route]:
    resources = t.resources("AWS::ApiGateway::Resource")

    def path_of(ref: Any) -> str:
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:
            return ""  # the API's root resource
        logical = ref["Ref"]
        props = resources[logical]["Properties"]
        return path_of(props["ParentId"]) + "/" + props["PathPart"]

    authorizers = {
        logical: t.resolve(res["Properties"]["ProviderARNs"][0]).rsplit("/", 1)[-1]
        for logical, res in t.resources("AWS::ApiGateway::Authorizer").items()
        if res["Properties"].get("Type") == "COGNITO_USER_POOLS"
    }
    routes = []
    for res in t.resources("AWS::ApiGateway::Method").values():
        props = res["Properties"]
        resource_path = path_of(props["ResourceId"]) or "/"
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(resource_path)) + "$")
        integration = props.get("Integration", {})
        if integration.get("Type") == "MOCK":
            # Static mock answers only (CORS preflights); VTL response templates are not evaluated.
            answer = integration.get("IntegrationResponses", [{}])[0]
            routes.append(Route(props["HttpMethod"], resource_path, pattern, None, None, int(answer.get("StatusCode", 200)),
                                _static_headers(answer.get("ResponseParameters", {}), "method.response.header.")))
            continue
        function_logical = _integration_function(props)
        if function_logical not in functions:
            continue
        pool = None
        if props.get("AuthorizationType") == "COGNITO_USER_POOLS":
            pool = authorizers[props["AuthorizerId"]["Ref"]]
        routes.append(Route(props["HttpMethod"], resource_path, pattern, functions[function_logical], pool,
                            scopes=tuple(t.resolve(props.get("AuthorizationScopes") or []))))
    return routes


@dataclass(frozen=True)
class GatewayResponse:
    """How API Gateway answers an error it raises itself (DEFAULT_4XX / DEFAULT_5XX): extra headers and
    the body's template, where `$context.error.messageString` is the quoted message."""

    headers: tuple[tuple[str, str], ...]
    template: str | None

    def body(self, message: str) -> bytes:
        if self.template is None:
            return json.dumps({"message": message}).encode()
        return (self.template.replace("$context.error.messageString", json.dumps(message))
                .replace("$context.error.message", message).encode())


def read_gateway_responses(t: Template) -> dict[str, GatewayResponse]:
    return {
        res["Properties"]["ResponseType"]: GatewayResponse(
            _static_headers(res["Properties"].get("ResponseParameters", {}), "gatewayresponse.header."),
            res["Properties"].get("ResponseTemplates", {}).get("application/json"))
        for res in t.resources("AWS::ApiGateway::GatewayResponse").values()
    }


class ApiGateway:
    def __init__(self, routes: list[Route], region: str, stage: str = "v1",
                 gateway_responses: dict[str, GatewayResponse] | None = None):
        self.routes = routes
        self.stage = stage
        self._gateway_responses = gateway_responses or {}
        pools = {r.authorizer_pool for r in routes if r.authorizer_pool}
        self._verifiers = {pool: CognitoJwtVerifier(region, pool, client_id=None) for pool in pools}
        self._server: ThreadingHTTPServer | None = None

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path parameters, path_exists)."""
        path_exists = False
        for route in self.routes:
            m = route.pattern.match(path)
            if m:
                path_exists = True
                if route.method == method:
                    names = re.findall(r"\{([^/]+?)\}", route.resource)
                    return route, dict(zip(names, m.groups())), True
        return None, {}, path_exists

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(raw_path)
        route, path_params, path_exists = self.match(method, split.path)
        if route is None:
            # What API Gateway answers for a method or path it does not have.
            return self._gateway_error(403, "Missing Authentication Token")
        if route.function is None:
            return route.mock_status, dict(route.mock_headers), b""
        claims: dict[str, Any] = {}
        if route.authorizer_pool:
            authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
            try:
                token_use = "access" if route.scopes else "id"
                claims = self._verifiers[route.authorizer_pool].claims(bearer_token(authorization), token_use=token_use)
            except DomainError:
                return self._gateway_error(401, "Unauthorized")
            if route.scopes and not set(str(claims.get("scope", "")).split()) & set(route.scopes):
                return self._gateway_error(401, "Unauthorized")
        event = self._event(method, route, split.path, split.query, path_params, headers, body, claims)
        try:
            result = route.function.invoke(event)
        except InvocationError:
            return self._gateway_error(502, "Internal server error")
        response_headers = dict(result.get("headers") or {})
        for key, values in (result.get("multiValueHeaders") or {}).items():
            response_headers[key] = ", ".join(values)
        payload = result.get("body") or ""
        if result.get("isBase64Encoded"):
            import base64

            data = base64.b64decode(payload)
        else:
            data = payload.encode()
        return int(result.get("statusCode", 200)), response_headers, data

    def _gateway_error(self, status: int, message: str) -> tuple[int, dict[str, str], bytes]:
        response = self._gateway_responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX", GatewayResponse((), None))
        return status, {"Content-Type": "application/json", **dict(response.headers)}, response.body(message)

    def _event(self, method: str, route: Route, path: str, query: str, path_params: dict[str, str],
               headers: dict[str, str], body: bytes, claims: dict[str, Any]) -> dict[str, Any]:
        multi_query = parse_qs(query, keep_blank_values=True)
        request_id = str(uuid.uuid4())
        # API Gateway passes claims as strings, lists flattened.
        flat_claims = {k: (" ".join(v) if isinstance(v, list) else str(v)) for k, v in claims.items()}
        return {
            "resource": route.resource,
            "path": path,
            "httpMethod": method,
            "headers": dict(headers),
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.resource,
                "httpMethod": method,
                "path": f"/{self.stage}{path}",
                "stage": self.stage,
                "requestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
                "authorizer": {"claims": flat_claims} if claims else None,
                "protocol": "HTTP/1.1",
                "accountId": "123456789012",
                "apiId": "local",
            },
            "body": body.decode("utf-8", errors="replace") if body else None,
            "isBase64Encoded": False,
        }

    def serve(self, host: str, port: int) -> int:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = gateway.handle(self.command, self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _any

            def log_message(self, fmt: str, *args: Any) -> None:
                pass

        # A browser or a load test opens many connections at once: a deeper backlog than http.server's 5.
        server_class = type("GatewayServer", (ThreadingHTTPServer,), {"request_queue_size": 128, "daemon_threads": True})
        self._server = server_class((host, port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
