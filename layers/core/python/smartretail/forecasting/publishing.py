"""Model versions and their forecasts, as the training pipeline records and publishes them.

The training job writes a decision document (the numbers the pipeline's Choice compares and the
version record); when the Choice promotes, a batch forecast runs and the loader puts its output in
the forecasts table and marks the version live. Standard library only: this runs in the training
job, the loader Lambda and the local pipeline alike.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..ports import ForecastStore, ModelRegistry, ObjectStore, read_json, read_lines
from .artefacts import DECISION, FORECASTS, TrainingRun, should_promote
from .serving import live_model

BATCH_SKUS_PER_RECORD = 50  # one batch-forecast request per store and up to 50 SKUs, like the API


def model_record(evaluation: dict[str, Any], model_version: str, trained_through: str, series: int,
                 horizon_days: int) -> dict[str, Any]:
    """The registry entry of a trained model: what GET /models shows, whatever its status."""
    return {
        "model_version": model_version,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "trained_through": trained_through,
        "wape": evaluation["overall"]["smartretail"]["wape"],
        "backtest": {key: evaluation[key] for key in ("overall", "windows", "per_group", "best_baseline") if key in evaluation},
        # How a day's forecast error carries into the next: the reorder policy widens multi-day bands by it.
        "error_correlation": evaluation.get("error_correlation"),
        "series": series,
        "horizon_days": horizon_days,
    }


def decision_document(record: dict[str, Any]) -> dict[str, Any]:
    """What the pipeline's Choice reads: our backtest WAPE against the best baseline's."""
    best = record["backtest"].get("best_baseline")
    from .governance import sagemaker_card_content

    return {
        "model_version": record["model_version"],
        "wape": record["wape"],
        "best_baseline": best,
        "best_baseline_wape": record["backtest"]["overall"][best]["wape"] if best else None,
        # Registered as the version's SageMaker Model Card by the pipeline (its content schema).
        "model_card": sagemaker_card_content(record["model_card"]) if record.get("model_card") else {},
        "record": record,
    }


def batch_requests(series: Iterable[str], horizon_days: int) -> list[dict[str, Any]]:
    """Batch-forecast input: one scenario request (the endpoint's contract) per store and SKU chunk."""
    by_store: dict[str, list[str]] = defaultdict(list)
    for uid in series:
        store_id, sku_id = uid.split("|", 1)
        by_store[store_id].append(sku_id)
    return [
        {"store_id": store_id, "sku_ids": skus[i : i + BATCH_SKUS_PER_RECORD], "horizon_days": horizon_days}
        for store_id, skus in sorted(by_store.items())
        for i in range(0, len(skus), BATCH_SKUS_PER_RECORD)
    ]


def forecasts_from_batch_output(lines: Iterable[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Group the batch forecast's responses (one JSON document per line) into series of days."""
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if not line.strip():
            continue
        for day in json.loads(line)["forecasts"]:
            series[(day["store_id"], day["sku_id"])].append(
                {"date": day["date"], "p10": day["p10"], "p50": day["p50"], "p90": day["p90"], "drivers": day.get("drivers", [])})
    return series


def publish(tenant_id: str, record: dict[str, Any], lines: Iterable[str], store: ForecastStore,
            registry: ModelRegistry) -> dict[str, Any]:
    """Load a promoted model's forecasts, then mark it live (so the API never points at a version
    without forecasts) and archive the one it replaces. The rule is checked again here: another run
    may have promoted a better model since this run's Choice."""
    live = live_model(registry, tenant_id)
    promote, reason = should_promote(decision_document(record), live)
    if not promote:
        registry.record(tenant_id, {**record, "status": "rejected", "reason": reason})
        return {"status": "rejected", "reason": reason, "series": 0}
    series = forecasts_from_batch_output(lines)
    if not series:
        raise ValueError(f"the batch forecast of {record['model_version']} is empty: nothing to publish")
    for (store_id, sku_id), days in series.items():
        store.put_series(tenant_id, store_id, sku_id, [{**d, "model_version": record["model_version"]} for d in days])
    registry.record(tenant_id, {**record, "status": "live", "reason": reason})
    if live is not None and live["model_version"] != record["model_version"]:
        registry.record(tenant_id, {**live, "status": "archived", "reason": f"replaced by {record['model_version']}"})
    return {"status": "live", "reason": reason, "series": len(series)}


def publish_run(objects: ObjectStore, bucket: str, run: TrainingRun, store: ForecastStore,
                registry: ModelRegistry) -> dict[str, Any]:
    """The pipeline's LoadForecasts step: a promoted run's decision document and batch forecast output
    (in the artifacts bucket) published."""
    decision = read_json(objects, bucket, run.key(DECISION))
    result = publish(run.tenant_id, decision["record"], read_lines(objects, bucket, run.key(FORECASTS)), store, registry)
    return {**result, "model_version": run.model_version}
