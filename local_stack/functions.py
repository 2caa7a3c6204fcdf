"""Lambda functions of the template, run locally as worker processes."""

import json
import os
import queue
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from .template import Template


class InvocationError(Exception):
    def __init__(self, function: str, error: dict[str, Any]):
        super().__init__(f"{function}: {error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


class _Instance:
    """One warm instance of a function: a worker process answering one event at a time."""

    def __init__(self, function: "LocalFunction"):
        self._function = function
        self._process: subprocess.Popen | None = None
        self._responses: Any = None

    def _start(self) -> None:
        f = self._function
        read_fd, write_fd = os.pipe()
        env = {**os.environ, **f.environment, "LOCAL_LAMBDA_RESPONSE_FD": str(write_fd),
               "AWS_LAMBDA_FUNCTION_NAME": f.name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(f.memory_mb)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "local_stack.lambda_worker", f.code_dir, f.handler, f.name, str(f.timeout_s), str(f.memory_mb)],
            stdin=subprocess.PIPE, text=True, env=env, pass_fds=(write_fd,),
            start_new_session=True,  # Ctrl-C goes to the local stack, which stops its workers
        )
        os.close(write_fd)
        self._responses = os.fdopen(read_fd, "r")
        ready = json.loads(self._responses.readline() or '{"ready": false, "error": "worker exited"}')
        if not ready.get("ready"):
            self.stop()
            raise RuntimeError(f"function {f.name} failed to initialise:\n{ready.get('error')}")

    def call(self, event: dict[str, Any], request_id: str) -> dict[str, Any]:
        if self._process is None or self._process.poll() is not None:
            self._start()
        assert self._process and self._process.stdin
        self._process.stdin.write(json.dumps({"event": event, "request_id": request_id}) + "\n")
        self._process.stdin.flush()
        line = self._responses.readline()
        if not line:
            self._process = None
            raise InvocationError(self._function.name, {"errorType": "Runtime.ExitError", "errorMessage": "worker exited"})
        return json.loads(line)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None


@dataclass
class LocalFunction:
    """A function of the template. Like Lambda, it answers concurrent events with more instances
    (started on demand, up to `concurrency`, then kept warm); each instance takes one event at a time."""

    logical_id: str
    name: str
    code_dir: str
    handler: str
    environment: dict[str, str]
    timeout_s: float
    memory_mb: int
    concurrency: int = 1

    def __post_init__(self) -> None:
        self._idle: queue.SimpleQueue[_Instance] = queue.SimpleQueue()
        self._instances: list[_Instance] = []
        self._lock = threading.Lock()

    def _acquire(self) -> _Instance:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._instances) < self.concurrency:
                instance = _Instance(self)
                self._instances.append(instance)
                return instance
        return self._idle.get()  # every instance is busy: wait for one, as Lambda at its concurrency limit would queue

    def invoke(self, event: dict[str, Any], request_id: str | None = None) -> Any:
        """Run the handler on `event`; `request_id` as Lambda gives one: a retry of an asynchronous
        event carries the id of its first attempt."""
        instance = self._acquire()
        try:
            reply = instance.call(event, request_id or str(uuid.uuid4()))
        finally:
            self._idle.put(instance)
        if "error" in reply:
            raise InvocationError(self.name, reply["error"])
        return reply["result"]

    def stop(self) -> None:
        with self._lock:
            for instance in self._instances:
                instance.stop()


def load_functions(t: Template, overrides: dict[str, str]) -> dict[str, LocalFunction]:
    """Functions by logical ID, each with the environment the template gives it (plus local overrides)."""
    functions = {}
    # Functions API Gateway invokes answer concurrent requests, as Lambda scales them (up to the cores
    # here); the others take their events one at a time, as their queues and state machines send them.
    behind_api = {json.dumps(p["Properties"]["FunctionName"]) for p in t.resources("AWS::Lambda::Permission").values()
                  if p["Properties"].get("Principal") == "apigateway.amazonaws.com"}
    for logical, res in t.resources("AWS::Lambda::Function").items():
        props = res["Properties"]
        asset = res.get("Metadata", {}).get("aws:asset:path")
        handler = props.get("Handler")
        if not asset or not handler or props.get("Runtime", "").startswith("nodejs"):
            continue  # CDK's own helper functions (inline Node code) have no local role
        env = {k: str(v) for k, v in t.resolve(props.get("Environment", {}).get("Variables", {})).items()}
        functions[logical] = LocalFunction(
            logical_id=logical,
            name=t.local_name(logical, 64),
            code_dir=str(t.assembly_dir / asset),
            handler=handler,
            environment={**env, "AWS_REGION": t.region, **overrides},
            timeout_s=float(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            concurrency=min(os.cpu_count() or 1, 4) if json.dumps({"Fn::GetAtt": [logical, "Arn"]}) in behind_api else 1,
        )
    return functions
