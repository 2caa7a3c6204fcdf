"""The forecast endpoint locally: the same SageMaker inference handlers (model_fn, input_fn,
predict_fn, output_fn) behind GET /ping and POST /invocations, as the SageMaker inference toolkit
serves them.

    .venv/bin/python -m local_stack.invocations --model-dir DIR [--port 8085]
"""

import argparse
import importlib.util
import json
import tarfile
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .template import ROOT

HANDLERS = ROOT / "sagemaker_jobs" / "forecasting" / "inference.py"


def load_handlers(path: Path = HANDLERS) -> Any:
    spec = importlib.util.spec_from_file_location("forecast_inference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_model_archive(handlers: Any, s3: Any, model_data_url: str) -> Any:
    """model_fn on a model.tar.gz in S3, unpacked as SageMaker unpacks it into the model directory."""
    bucket, key = model_data_url.removeprefix("s3://").split("/", 1)
    with tempfile.TemporaryDirectory(prefix="smartretail-model-") as work:
        archive = Path(work) / "model.tar.gz"
        s3.download_file(bucket, key, str(archive))
        with tarfile.open(archive) as tar:
            tar.extractall(Path(work) / "model", filter="data")
        return handlers.model_fn(str(Path(work) / "model"))


def run_handlers(handlers: Any, model: Any, body: bytes, content_type: str, accept: str) -> tuple[int, bytes, str]:
    """One request through input_fn, predict_fn and output_fn: status, payload, content type."""
    try:
        request = handlers.input_fn(body, content_type or "application/json")
        prediction = handlers.predict_fn(request, model)
        payload, out_type = handlers.output_fn(prediction, accept or "application/json")
    except (ValueError, KeyError) as exc:
        return 400, json.dumps({"error": str(exc)}).encode(), "application/json"
    return 200, payload.encode(), out_type


def serve(model_dir: str, port: int = 0) -> ThreadingHTTPServer:
    handlers = load_handlers()
    model = handlers.model_fn(model_dir)
    lock = threading.Lock()  # one model in memory, one prediction at a time, as on a serverless endpoint

    class Handler(QuietHandler):
        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/ping":
                self._reply(200, b"", "text/plain")
            else:
                self._reply(404, b'{"error": "not found"}', "application/json")

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/invocations":
                self._reply(404, b'{"error": "not found"}', "application/json")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                self._reply(*run_handlers(handlers, model, body, self.headers.get("Content-Type"), self.headers.get("Accept")))

    return serve_in_background(Handler, port)


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


def serve_in_background(handler: type[BaseHTTPRequestHandler], port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_stack.invocations")
    parser.add_argument("--model-dir", required=True, help="a directory with model.pkl from the training job")
    parser.add_argument("--port", type=int, default=8085)
    args = parser.parse_args()
    server = serve(args.model_dir, args.port)
    print(f"forecast endpoint on http://127.0.0.1:{server.server_address[1]}/invocations (Ctrl-C stops it)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
