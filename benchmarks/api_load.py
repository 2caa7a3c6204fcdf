"""A bounded load run against the local API: the demo tenant as `./dev up` loads it, then

1. the first call of each read route (what a new session meets right after the pipeline ran), and
2. locust, headless, 20 concurrent sellers (benchmarks/locustfile.py) for a fixed time, after a
   20-second warm-up run whose numbers are dropped (the API's second instance starts there, as a
   Lambda's would): requests per second, p50/p95 per route, errors.

    python -m benchmarks.api_load [--users 20] [--seconds 60]   -> benchmarks/results/api_load.json

Everything runs on 127.0.0.1: the gateway, the API function's worker, DynamoDB/S3 in the emulator and
DuckDB for Athena, on the same 2 cores as locust itself.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ._results import ROOT, write_result

TENANT = "demo"
WARM_UP_SECONDS = 20
STORE, SKU = "S01", "BEV-001"


def first_calls(api_url: str, token: str, start: str, end: str) -> dict[str, float]:
    """Milliseconds of each read route's first request, one after the other."""
    calls = {
        "GET /kpis": ("GET", f"/kpis?start={start}&end={end}", None),
        "GET /ingest": ("GET", "/ingest", None),
        "GET /alerts": ("GET", "/alerts?status=open", None),
        "GET /proposals": ("GET", "/proposals", None),
        "GET /documents": ("GET", "/documents", None),
        "GET /policy": ("GET", "/policy", None),
        "POST /forecast": ("POST", "/forecast", {"store_id": STORE, "sku_ids": [SKU], "horizon_days": 14}),
        "POST /pricing-suggest": ("POST", "/pricing-suggest", {"store_id": STORE, "sku_id": SKU}),
        "POST /recommendations": ("POST", "/recommendations", {"store_id": STORE, "limit": 30}),
    }
    out = {}
    for name, (method, path, body) in calls.items():
        request = urllib.request.Request(api_url + path, method=method, data=json.dumps(body).encode() if body else None,
                                         headers={"Authorization": token, "Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            assert response.status == 200, (name, response.status)
        out[name] = round((time.perf_counter() - started) * 1000, 1)
    return out


def run_locust(api_url: str, token: str, start: str, end: str, users: int, seconds: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="locust-") as work:
        prefix = str(Path(work) / "load")
        env = {**os.environ, "LOAD_TOKEN": token, "LOAD_START": start, "LOAD_END": end, "LOAD_STORE": STORE, "LOAD_SKU": SKU}
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless", "--host", api_url,
             "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--csv", prefix, "--only-summary", "--loglevel", "WARNING"],
            env=env, check=False, cwd=ROOT,
        )
        with open(prefix + "_stats.csv", newline="") as f:
            return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from local_stack.demo import load_demo_tenant
    from local_stack.stack import LocalStack

    workdir = Path(tempfile.mkdtemp(prefix="load-"))
    stack = LocalStack(workdir=workdir).start()
    try:
        user = stack.create_user("load-seller", TENANT, "sellers")
        token = stack.id_token(user.username, user.password)
        load_demo_tenant(stack, token, TENANT, workdir / "demo-data")
        start, end = "2026-07-01", "2026-09-30"  # the dashboard's default range on the demo tenant
        first = first_calls(stack.api_url, token, start, end)
        token = stack.id_token(user.username, user.password)  # a fresh hour for the run
        run_locust(stack.api_url, token, start, end, args.users, WARM_UP_SECONDS)
        rows = run_locust(stack.api_url, token, start, end, args.users, args.seconds)
    finally:
        stack.stop()
    routes = {r["Name"]: {"requests": int(r["Request Count"]), "errors": int(r["Failure Count"]),
                          "requests_per_second": round(float(r["Requests/s"]), 1),
                          "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]), "p99_ms": float(r["99%"]),
                          "first_call_ms": first.get(r["Name"].split("?")[0])}
              for r in rows if r["Name"] != "Aggregated"}
    total = next(r for r in rows if r["Name"] == "Aggregated")
    write_result(
        "api_load",
        f"demo tenant as ./dev up loads it; locust headless, {args.users} sellers, each sending a request every 0.5-1.5 s, for "
        f"{args.seconds} s (after a {WARM_UP_SECONDS} s warm-up) over the read routes, through the local gateway on 127.0.0.1 "
        "with a real Cognito token",
        {"smartretail": {"requests_per_second": round(float(total["Requests/s"]), 1), "p50_ms": float(total["50%"]),
                         "p95_ms": float(total["95%"]), "errors": int(total["Failure Count"]),
                         "requests": int(total["Request Count"])}},
        routes=routes, first_call_ms=first,
        targets={"warm_p95_ms": 100, "first_call_ms": 1000},
    )


if __name__ == "__main__":
    main()
