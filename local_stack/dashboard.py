"""Serve the dashboard (web/) with a config.js pointing at the local API and Cognito emulator, under a
Content-Security-Policy that lets the page run only its own scripts and talk only to its API, its
sign-in and its upload endpoints."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .template import ROOT

WEB_DIR = ROOT / "web"


def config_js(settings: dict[str, Any]) -> bytes:
    return f"window.SMARTRETAIL = {json.dumps(settings, indent=2)};\n".encode()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(settings: dict[str, Any]) -> dict[str, str]:
    """No inline script or style, no plugins, no framing; fetches only to the API, Cognito and the
    storage that takes presigned uploads. Injected markup could run nothing and send nothing away."""
    connect = sorted({_origin(settings["apiUrl"]), _origin(settings["cognitoEndpoint"]),
                      *(_origin(u) for u in settings.get("uploadOrigins", []))})
    policy = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              f"connect-src {' '.join(connect)}; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY"}


class _Handler(SimpleHTTPRequestHandler):
    config = b""
    headers_to_send: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path.split("?")[0] == "/config.js":
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(self.config)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


def serve_dashboard(port: int, settings: dict[str, Any]) -> ThreadingHTTPServer:
    handler = type("DashboardHandler", (_Handler,), {"config": config_js(settings), "headers_to_send": security_headers(settings)})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(WEB_DIR)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
