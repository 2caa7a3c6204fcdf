"""LocalStack: moto server + resources from the template + local functions, events and API."""

import logging
import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .template import LOCAL_SECRET, ROOT, Template, synthesize

log = logging.getLogger("local_stack")
REGION = "eu-west-1"
DEMO_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class DemoUser:
    username: str
    group: str | None
    tenant_id: str
    password: str


@dataclass
class LocalStack:
    workdir: Path = field(default_factory=lambda: ROOT / ".local")
    moto_port: int = 0
    api_port: int = 0
    stage: str = "dev"
    sfn_mock_config: Path | None = None  # Step Functions mocked integrations for tests (see sfn_mocks)
    training_runs: list = field(default_factory=list)  # runs the training pipeline's rule started (retraining requests)

    def start(self) -> "LocalStack":
        self.workdir.mkdir(parents=True, exist_ok=True)
        port = self.moto_port or _free_port()
        # MOTO_PORT: where the emulator's Step Functions engine sends its service calls.
        env = {**os.environ, "MOTO_PORT": str(port)}
        if self.sfn_mock_config:
            env["SFN_MOCK_CONFIG"] = str(self.sfn_mock_config)
        self._moto = subprocess.Popen(
            [sys.executable, "-m", "local_stack.moto_server", str(port)],
            stdout=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT, env=env,
        )
        try:
            if (self._moto.stdout.readline() or "").strip() != "ready":
                raise RuntimeError(f"the AWS emulator did not start on port {port} (is the port in use?)")
            threading.Thread(target=self._moto.stdout.read, daemon=True).start()  # never let its pipe fill
            self.endpoint = f"http://127.0.0.1:{port}"
            self._start_on_emulator(port)
        except BaseException:
            self.stop()  # the emulator runs in its own session: never leave it behind
            raise
        return self

    def _start_on_emulator(self, port: int) -> None:
        from . import resources
        from .events import EventDispatcher
        from .functions import load_functions
        from .gateway import ApiGateway, read_gateway_responses, read_routes

        # Every boto3 client of this process and of the local functions talks to the emulator.
        aws = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET,
            "AWS_DEFAULT_REGION": REGION,
        }
        os.environ.update({**aws, "AWS_REGION": REGION, "MOTO_PORT": str(port),
                           "CDK_DEFAULT_REGION": REGION, "CDK_DEFAULT_ACCOUNT": "123456789012"})
        os.environ.pop("AWS_PROFILE", None)
        _configure_emulator(self.endpoint, {"stepfunctions": {"execute_state_machine": True}})
        self.template = Template(synthesize(self.workdir / "cdk.out", self.stage), region=REGION)
        resources.create_all(self.template)
        # The tenants' forecast endpoints: the inference handlers with the model each endpoint points at.
        from .sagemaker_runtime import LocalSageMakerRuntime

        self._runtime = LocalSageMakerRuntime().serve()
        aws["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = f"http://127.0.0.1:{self._runtime.server_address[1]}"
        os.environ["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = aws["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"]
        overrides = {
            **aws,
            "SMARTRETAIL_LOCAL": "true",          # Athena -> DuckDB over the same Parquet
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            # Machine clients ask the emulator's token endpoint (local_stack.oauth2), not the pool's domain.
            "STOREFRONT_TOKEN_URL": f"{self.endpoint}/oauth2/token",
            # The in-process search index (OpenSearch's stand-in) keeps what is indexed in the documents
            # bucket, where the functions that index and those that search all find it.
            "LOCAL_SEARCH_BUCKET": self.search_bucket,
        }
        self.functions = load_functions(self.template, overrides)
        self.events = EventDispatcher(self.template, self.functions, machines={"TrainingPipelineStateMachine": self._run_training})
        self.events.start()
        self.gateway = ApiGateway(read_routes(self.template, self.functions), REGION,
                                  gateway_responses=read_gateway_responses(self.template))
        self.api_url = f"http://127.0.0.1:{self.gateway.serve('127.0.0.1', self.api_port)}"

    def _run_training(self, event: dict, _request_id: str | None = None) -> dict:
        """What the training pipeline's rule starts in AWS (a retraining request from the model
        monitor), run here in-process through the same definition."""
        tenant_id = (event.get("detail") or {}).get("tenant_id") or event.get("tenant_id")
        run = self.train_tenant(tenant_id)
        self.training_runs.append(run)
        return {"tenant_id": tenant_id, "outcome": run.outcome, "model_version": run.model_version}

    def train_tenant(self, tenant_id: str):
        from .pipeline import LocalPipeline

        return LocalPipeline(self).run(tenant_id)

    def serve_dashboard(self, port: int, default_start: str | None = None, default_end: str | None = None) -> str:
        """Serve the dashboard's build configured for this stack; the API allows this origin only on the
        stage's port. Without a default period the pages show the last 90 days of each tenant's data."""
        from .dashboard import serve_dashboard

        period = {"defaultStart": default_start, "defaultEnd": default_end} if default_start and default_end else {}
        self._dashboard = serve_dashboard(port, {
            "apiUrl": self.api_url, "cognitoEndpoint": self.endpoint + "/", "clientId": self.client_id,
            "region": REGION, **period,
            "uploadOrigins": [self.endpoint],  # presigned POSTs and page views go to S3 (the emulator here)
        })
        return f"http://127.0.0.1:{self._dashboard.server_address[1]}"

    def stop(self) -> None:
        """Stop whatever was started, in reverse order; safe after a partial start."""
        steps = [
            ("_dashboard", lambda d: d.shutdown()),
            ("gateway", lambda g: g.stop()),
            ("events", lambda e: e.stop()),
            ("functions", lambda fs: [f.stop() for f in fs.values()]),
            ("_runtime", lambda r: r.shutdown()),
            ("_moto", lambda p: (p.terminate(), p.wait(timeout=10))),
        ]
        for attribute, stopper in steps:
            part = getattr(self, attribute, None)
            if part is None:
                continue
            try:
                stopper(part)
            except Exception:  # keep stopping the rest
                log.exception("error while stopping %s", attribute)

    # --- resources by role ------------------------------------------------------------------
    def output(self, name: str) -> str:
        return str(self.template.resolve(self.template.body["Outputs"][name]["Value"]))

    @property
    def user_pool_id(self) -> str:
        return self.output("UserPoolId")

    @property
    def client_id(self) -> str:
        return self.output("UserPoolClientId")

    def function_env(self, logical_prefix: str) -> dict[str, str]:
        for logical, fn in self.functions.items():
            if logical.startswith(logical_prefix):
                return fn.environment
        raise KeyError(logical_prefix)

    @property
    def search_bucket(self) -> str:
        """The documents bucket (the document processor's DOCUMENTS_BUCKET), where the local search
        index is kept."""
        (processor,) = [r for logical, r in self.template.resources("AWS::Lambda::Function").items()
                        if logical.startswith("DocumentsProcessor")]
        return str(self.template.resolve(processor["Properties"]["Environment"]["Variables"]["DOCUMENTS_BUCKET"]))

    def load_knowledge(self, folder: Path) -> int:
        """The platform's policies and SOPs into the copilot's local search, where the document
        processor puts each processed document; how many chunks."""
        from smartretail.adapters.aws_s3 import S3ObjectStore
        from smartretail.adapters.local_search import ObjectStoreSearchIndex
        from smartretail.search.embedder import WordLlamaEmbedder
        from smartretail.search.knowledge import knowledge_chunks

        chunks = knowledge_chunks(folder)
        ObjectStoreSearchIndex(S3ObjectStore(), self.search_bucket, WordLlamaEmbedder).upsert(chunks)
        return len(chunks)

    # --- users and tokens -------------------------------------------------------------------
    def create_user(self, username: str, tenant_id: str, group: str | None) -> DemoUser:
        import boto3

        idp = boto3.client("cognito-idp")
        password = "Sr-" + "".join(secrets.choice(DEMO_PASSWORD_ALPHABET) for _ in range(16)) + "9!"
        idp.admin_create_user(
            UserPoolId=self.user_pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "custom:tenant_id", "Value": tenant_id}],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=self.user_pool_id, Username=username, Password=password, Permanent=True)
        if group:
            idp.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=username, GroupName=group)
        return DemoUser(username, group, tenant_id, password)

    def id_token(self, username: str, password: str) -> str:
        import boto3

        result = boto3.client("cognito-idp").admin_initiate_auth(
            UserPoolId=self.user_pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return result["AuthenticationResult"]["IdToken"]


def _configure_emulator(endpoint: str, config: dict[str, Any]) -> None:
    import json
    import urllib.request

    request = urllib.request.Request(f"{endpoint}/moto-api/config", data=json.dumps(config).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method: str, url: str, token: str | None = None, body: Any = None, headers: dict | None = None) -> tuple[int, Any]:
    """A small JSON client for the local API (stdlib only)."""
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        try:
            return exc.code, json.loads(payload)
        except ValueError:
            return exc.code, payload.decode()


def post_file(upload: dict[str, Any], file_name: str, content: bytes, content_type: str) -> int:
    """Upload through a presigned POST exactly as a browser form would (multipart/form-data)."""
    import urllib.error
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    parts = []
    for key, value in upload["fields"].items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(upload["url"], data=b"".join(parts), method="POST")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
