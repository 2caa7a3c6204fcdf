"""API Lambda cold start: `init_ms` = import of the handler module + the first request, in a fresh
process that sees only what Lambda would (function code, the two layers, the runtime's boto3), median
of 5; `package_mb` = the deployment package unzipped, layers included; and the heaviest imports.

    .venv/bin/python -m benchmarks.api_cold_start
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from ._results import ROOT, write_result

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # the CDK packaging code is imported

BUILD = ROOT / ".build" / "api_package"
RUNS = 5

_PROBE = r"""
import json, os, sys, time
started = time.perf_counter()
import api_handler
imported = time.perf_counter()
event = json.loads(os.environ["PROBE_EVENT"])
class Context:
    function_name = "api"; function_version = "$LATEST"; memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:api"; aws_request_id = "probe"
    def get_remaining_time_in_millis(self): return 29000
response = api_handler.handler(event, Context())
done = time.perf_counter()
assert response["statusCode"] == 200, response
print(json.dumps({"import_ms": (imported - started) * 1000, "init_ms": (done - started) * 1000}))
"""


def build_package() -> dict[str, Path]:
    """The same three pieces CDK deploys, built by the same bundling code, plus the runtime's boto3."""
    from cdk.constructs.packaging import compile_tree, core_bundling, deps_bundling, function_bundling, pip_install_for_lambda

    if BUILD.exists():
        shutil.rmtree(BUILD)
    function_bundling("api").try_bundle(str(BUILD / "function"))
    core_bundling().try_bundle(str(BUILD / "core_layer"))
    deps_bundling().try_bundle(str(BUILD / "deps_layer"))
    pip_install_for_lambda(BUILD / "runtime", "boto3")  # provided (precompiled) by the Lambda runtime, not shipped
    compile_tree(BUILD / "runtime")
    return {"function": BUILD / "function", "core_layer": BUILD / "core_layer" / "python",
            "deps_layer": BUILD / "deps_layer" / "python", "runtime": BUILD / "runtime"}


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024**2


def _fresh_process_env(parts: dict[str, Path], extra: dict[str, str]) -> dict[str, str]:
    path = os.pathsep.join(str(parts[k]) for k in ("function", "core_layer", "deps_layer", "runtime"))
    # Lambda's code and layer directories are read-only: nothing may be compiled and cached at run time.
    return {"PATH": os.environ["PATH"], "PYTHONPATH": path, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8", **extra}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from local_stack.stack import LocalStack

    parts = build_package()
    package_mb = sum(_size_mb(BUILD / p) for p in ("function", "core_layer", "deps_layer"))
    stack = LocalStack(workdir=Path(tempfile.mkdtemp(prefix="coldstart-")), stage="test").start()
    try:
        user = stack.create_user("probe", "bench", "sellers")
        token = stack.id_token(user.username, user.password)
        # As deployed: not the local stack's adapters (the layer does not ship them), the emulator's endpoints.
        env = {**{k: v for k, v in stack.function_env("Api").items() if k != "PYTHONPATH"}, "SMARTRETAIL_LOCAL": "false"}
        # A dashboard's typical first call: list the tenant's uploads (JWT check + a DynamoDB query).
        event = stack.gateway._event("GET", next(r for r in stack.gateway.routes if r.resource == "/ingest"), "/ingest", "",
                                     {}, {"Authorization": token}, b"", {})
        def measure(extra: dict[str, str]) -> list[dict]:
            runs = []
            for _ in range(RUNS):
                done = subprocess.run(
                    [sys.executable, "-S", "-c", _PROBE],
                    env=_fresh_process_env(parts, {**env, "PROBE_EVENT": json.dumps(event), "POWERTOOLS_METRICS_DISABLED": "true", **extra}),
                    capture_output=True, text=True, check=True, cwd=parts["function"],
                )
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            return runs

        runs = measure({"SDK_TRACING": "false"})  # the deployed default
        traced = measure({"SDK_TRACING": "true", "POWERTOOLS_TRACE_DISABLED": "false", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"})
        importtime = subprocess.run(
            [sys.executable, "-S", "-X", "importtime", "-c", "import api_handler"],
            env=_fresh_process_env(parts, env), capture_output=True, text=True, cwd=parts["function"],
        ).stderr
    finally:
        stack.stop()
    heaviest = _heaviest_imports(importtime)
    write_result(
        "api_cold_start",
        "API Lambda package built from this commit (manylinux wheels, precompiled); first request GET /ingest with a real JWT",
        {"smartretail": {
            "init_ms": round(statistics.median(r["init_ms"] for r in runs), 1),
            "import_ms": round(statistics.median(r["import_ms"] for r in runs), 1),
            "package_mb": round(package_mb, 1),
        }, "smartretail_with_sdk_tracing": {
            "init_ms": round(statistics.median(r["init_ms"] for r in traced), 1),
            "import_ms": round(statistics.median(r["import_ms"] for r in traced), 1),
            "package_mb": round(package_mb, 1),
        }},
        runs=[{k: round(v, 1) for k, v in r.items()} for r in runs],
        runs_with_sdk_tracing=[{k: round(v, 1) for k, v in r.items()} for r in traced],
        heaviest_imports_ms=heaviest,
        notes="init_ms includes the JWKS fetch from the local Cognito emulator and a DynamoDB query on the first "
              "request; Lambda's own runtime start (before the handler module is imported) is not included.",
    )


def _heaviest_imports(importtime: str, top: int = 10) -> dict[str, float]:
    """Top-level packages by cumulative import time (python -X importtime)."""
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        if not cumulative.strip().isdigit() or package in ("api_handler",):
            continue
        totals[package] = max(totals.get(package, 0.0), int(cumulative) / 1000)
    return dict(sorted(totals.items(), key=lambda kv: -kv[1])[:top])


if __name__ == "__main__":
    main()
