"""Serve the dashboard's build (web/dist, the same files CloudFront serves) with a config.json pointing
at the local API and Cognito emulator, under the Content-Security-Policy CloudFront sends: the page
runs only its own scripts and talks only to its API, its sign-in and its upload endpoints."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cdk.web_policy import content_security_policy

from .template import ROOT

WEB_DIR = ROOT / "web" / "dist"


def config_json(settings: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in settings.items() if k != "uploadOrigins"}, indent=2).encode()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(settings: dict[str, Any]) -> dict[str, str]:
    """No inline script or style, no plugins, no framing; fetches only to the API, Cognito and the
    storage that takes presigned uploads. Injected markup could run nothing and send nothing away."""
    uploads = sorted({_origin(u) for u in settings.get("uploadOrigins", [])})
    connect = sorted({_origin(settings["apiUrl"]), _origin(settings["cognitoEndpoint"]), *uploads})
    policy = content_security_policy(connect, uploads)
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY"}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                      ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml"}
    config = b""
    headers_to_send: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


def serve_dashboard(port: int, settings: dict[str, Any]) -> ThreadingHTTPServer:
    if not (WEB_DIR / "index.html").exists():
        raise FileNotFoundError(f"{WEB_DIR} has no build: run `npm ci && npm run build` in web/ (./dev up does)")
    handler = type("DashboardHandler", (_Handler,), {"config": config_json(settings), "headers_to_send": security_headers(settings)})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(WEB_DIR)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
