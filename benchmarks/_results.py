"""One result shape for every benchmark (see docs/benchmarks.md)."""

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SHARED_DATA = ROOT.parent / "shared" / "data"


def machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} cores, {memory_gb:.0f} GB, Python {platform.python_version()}"


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def write_result(benchmark: str, dataset: str, systems: dict, **extra) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    body = {
        "benchmark": benchmark,
        "commit": commit(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "dataset": dataset,
        "ours": "smartretail",
        "systems": systems,
        **extra,
    }
    path = RESULTS / f"{benchmark}.json"
    path.write_text(json.dumps(body, indent=2) + "\n")
    print(json.dumps(body, indent=2))
    return path
