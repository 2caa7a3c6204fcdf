"""Serve the dashboard (web/) with a config.js pointing at the local API and Cognito emulator."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .template import ROOT

WEB_DIR = ROOT / "web"


def config_js(settings: dict[str, Any]) -> bytes:
    return f"window.SMARTRETAIL = {json.dumps(settings, indent=2)};\n".encode()


class _Handler(SimpleHTTPRequestHandler):
    config = b""

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
    handler = type("DashboardHandler", (_Handler,), {"config": config_js(settings)})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(WEB_DIR)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
