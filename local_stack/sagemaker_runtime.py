"""SageMaker Runtime locally: `POST /endpoints/{name}/invocations` answered by the inference handlers
with the model the endpoint points at, found as SageMaker finds it (endpoint -> endpoint config ->
model -> ModelDataUrl, on the emulator) and loaded from its model.tar.gz. The API's boto3 client
reaches it through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, so the code is the one that calls AWS.
"""

import json
import threading
from http.server import ThreadingHTTPServer
from typing import Any

import boto3

from .invocations import QuietHandler, load_handlers, load_model_archive, run_handlers, serve_in_background

ACCOUNT = "123456789012"


class LocalSageMakerRuntime:
    def __init__(self) -> None:
        self._handlers: Any = None
        self._models: dict[str, Any] = {}  # ModelDataUrl -> loaded model
        self._lock = threading.Lock()  # one prediction at a time, as on a serverless endpoint with concurrency 1
        self._sagemaker, self._s3 = boto3.client("sagemaker"), boto3.client("s3")

    def model_for(self, endpoint: str) -> Any | None:
        sagemaker = self._sagemaker
        try:
            config = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
        except sagemaker.exceptions.ClientError:
            return None
        variant = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]
        url = sagemaker.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]["ModelDataUrl"]
        if url not in self._models:
            if self._handlers is None:
                self._handlers = load_handlers()
            self._models[url] = load_model_archive(self._handlers, self._s3, url)
        return self._models[url]

    def invoke(self, endpoint: str, body: bytes, content_type: str, accept: str) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            model = self.model_for(endpoint)
            if model is None:
                return _error(400, "ValidationError", f"Endpoint {endpoint} of account {ACCOUNT} not found.")
            status, payload, out_type = run_handlers(self._handlers, model, body, content_type, accept)
        if status != 200:  # SageMaker wraps what the container refused in a ModelError
            return _error(424, "ModelError", f"Received client error ({status}) from primary with message "
                          f"\"{payload.decode()}\"", OriginalStatusCode=status, OriginalMessage=payload.decode())
        return 200, payload, {"Content-Type": out_type}

    def serve(self, port: int = 0) -> ThreadingHTTPServer:
        runtime = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                parts = self.path.split("?")[0].strip("/").split("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if len(parts) == 3 and parts[0] == "endpoints" and parts[2] == "invocations":
                    status, payload, headers = runtime.invoke(parts[1], body, self.headers.get("Content-Type", ""),
                                                              self.headers.get("Accept", ""))
                else:
                    status, payload, headers = _error(404, "UnknownOperationException", f"no operation at {self.path}")
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(payload))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return serve_in_background(Handler, port)


def _error(status: int, code: str, message: str, **fields: Any) -> tuple[int, bytes, dict[str, str]]:
    body = json.dumps({"message": message, **fields}).encode()
    return status, body, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
