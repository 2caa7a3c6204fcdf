"""Load a tenant's files through the public API exactly as a seller would."""

import time
from pathlib import Path

from .stack import LocalStack, http_json, post_file

DATASET_FILES = {"products": "products.csv", "sales": "sales.csv", "inventory": "inventory.csv",
                 "competitor-prices": "competitor-prices.csv"}


def upload_file(stack: LocalStack, token: str, dataset: str, path: Path, idempotency_key: str | None = None) -> dict:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    status, slot = http_json("POST", f"{stack.api_url}/ingest/{dataset}", token, {"file_name": path.name}, headers)
    if status != 201:
        raise RuntimeError(f"POST /ingest/{dataset} answered {status}: {slot}")
    if slot["upload"] is None:  # the same request was answered before and its file has landed
        return slot
    code = post_file(slot["upload"], path.name, path.read_bytes(), slot["content_type"])
    if code not in (200, 201, 204):
        raise RuntimeError(f"upload of {path.name} refused by S3 with {code}")
    return slot


def wait_for_upload(stack: LocalStack, token: str, upload_id: str, timeout_s: float = 300) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status, body = http_json("GET", f"{stack.api_url}/ingest/{upload_id}", token)
        if status == 200 and body["status"] not in ("awaiting_upload", "validating"):
            return body
        time.sleep(0.3)
    raise TimeoutError(f"upload {upload_id} not validated after {timeout_s}s")


def load_tenant_files(stack: LocalStack, token: str, data_dir: Path) -> list[dict]:
    results = []
    for dataset, name in DATASET_FILES.items():
        path = data_dir / name
        if path.exists():
            slot = upload_file(stack, token, dataset, path, idempotency_key=f"demo-{dataset}")
            results.append(wait_for_upload(stack, token, slot["upload_id"]))
    return results


def load_documents(stack: LocalStack, token: str, folder: Path, timeout_s: float = 300) -> list[dict]:
    """Upload every generated document (PDFs and scans) through POST /upload-document, as a seller
    would, and wait for the document pipeline's answer on each."""
    import json

    slots = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".pdf", ".jpg"):
            continue
        doc_type = json.loads(path.with_name(path.stem + ".truth.json").read_text())["doc_type"]
        status, slot = http_json("POST", f"{stack.api_url}/upload-document", token, {"doc_type": doc_type, "file_name": path.name},
                                 {"Idempotency-Key": f"demo-{path.name}"})
        if status != 201:
            raise RuntimeError(f"POST /upload-document answered {status}: {slot}")
        if slot["status"] == "awaiting_upload":
            post_file(slot["upload"], path.name, path.read_bytes(), slot["content_type"])
        slots.append((path.name, slot["doc_id"]))
    results, deadline = [], time.monotonic() + timeout_s
    for name, doc_id in slots:
        while True:
            _, body = http_json("GET", f"{stack.api_url}/documents/{doc_id}", token)
            if body.get("status") not in ("awaiting_upload", "processing") or time.monotonic() > deadline:
                results.append({"file_name": name, **body})
                break
            time.sleep(0.5)
    return results


def load_demo_tenant(stack: LocalStack, seller_token: str, tenant_id: str, data_dir: Path, say=print) -> None:
    """What `./dev up` does for the demo tenant: generate its files, upload them through the API, run
    the training pipeline (ETL on local Spark, training, promotion, batch forecast, loading) and the
    daily alert evaluation."""
    import signal

    from smartretail.demo.generator import DemoSpec, generate
    from smartretail.etl.pipeline import local_spark

    from .pipeline import LocalPipeline

    say(f"Generating the demo tenant '{tenant_id}' and uploading it through the API ...", flush=True)
    generate(DemoSpec(tenant_id=tenant_id), data_dir)
    for result in load_tenant_files(stack, seller_token, data_dir):
        say(f"  {result['dataset']:<18} {result['status']:<10} accepted {result['rows_accepted']:>7}  quarantined {result['rows_quarantined']}")
    say("Running the training pipeline: ETL on local Spark, training with a backtest against seasonal naive "
        "and AutoETS, promotion, batch forecast, loading ...", flush=True)
    spark = local_spark()
    try:
        run = LocalPipeline(stack, spark).run(tenant_id)
    finally:
        spark.stop()
        # Spark leaves its own SIGINT handler behind, which fails once the context is stopped.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    backtest = run.version["backtest"]["overall"]
    say(f"  steps: {' -> '.join(run.steps)}")
    say(f"  model {run.model_version}: {run.outcome} ({run.reason}); "
        f"WAPE smartretail {backtest['smartretail']['wape']:.3f}, autoets {backtest['autoets']['wape']:.3f}, "
        f"seasonal naive {backtest['seasonal_naive']['wape']:.3f}")
    if run.insights:
        say(f"  decisions: {run.insights['positions']} stock and price positions, {run.insights['elasticities']} "
            f"elasticities of SKUs and SKU x store pairs ({run.insights['identified']} identified by their own data)")
    say("Evaluating alerts, as the daily schedule does ...", flush=True)
    for result in stack.events.run_scheduled():
        say(f"  tenant {result['tenant_id']}: {result['series']} series checked, {result['raised']} alerts raised")


def warm_first_page(stack: LocalStack, token: str, start: str, end: str) -> float:
    """Ask what the dashboard's overview asks, once, before anyone signs in: locally the API
    function's first query copies the curated Parquet out of the emulator into DuckDB's cache (in
    AWS, Athena reads S3 directly and the pipeline warms the results cache). Seconds it took."""
    from datetime import date, timedelta

    started = time.monotonic()
    status, catalog = http_json("GET", f"{stack.api_url}/catalog", token)
    if status != 200:
        return time.monotonic() - started
    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    before_end = date.fromisoformat(start) - timedelta(days=1)
    for first, last in ((start, end), ((before_end - timedelta(days=days - 1)).isoformat(), before_end.isoformat())):
        http_json("GET", f"{stack.api_url}/kpis?start={first}&end={last}", token)
    store = catalog["stores"][0] if catalog["stores"] else None
    if store:
        skus = [s["sku_id"] for s in catalog["skus"] if store in s["store_ids"]][:50]
        http_json("POST", f"{stack.api_url}/forecast", token, {"store_id": store, "sku_ids": skus, "horizon_days": 28, "history_days": 56})
    return time.monotonic() - started
