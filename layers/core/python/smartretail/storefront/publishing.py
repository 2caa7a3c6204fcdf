"""Promoting a storefront training run into the serving table: the pipeline's loader step. Light on
purpose (no model libraries): it runs in a small Lambda that reads the training job's artefact."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..forecasting.artefacts import MODEL_ARCHIVE
from ..lake import model_prefix
from ..ports import ItemStore, SearchIndex
from .catalog import catalog_products
from .keys import LIST_KINDS, META_KEY, list_key


@dataclass
class StorefrontRun:
    summary: dict[str, Any]
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # serving-table items by key; empty when not trained


def promotion(summary: dict[str, Any], live: dict[str, Any] | None) -> tuple[bool, str]:
    """Whether a run replaces the live lists, and why: like the forecasts, a model whose backtest
    loses to popularity is not promoted (the live lists stay); a tenant with no live lists gets the
    run anyway, since something measured beats nothing."""
    if summary.get("status") != "trained":
        return False, summary.get("status") or "the run produced no lists"
    test = summary.get("backtest") or {}
    if "ndcg_at_10" not in test:
        return True, f"promoted without a backtest: {test.get('note', 'not measurable')}"
    ours, popular = test["ndcg_at_10"], test["popularity_ndcg_at_10"]
    if ours >= popular:
        return True, f"backtest NDCG@10 {ours} >= popularity {popular} ({test['shoppers']} shoppers, last {test['days']} days)"
    if not live or live.get("status") != "trained":
        return True, f"backtest NDCG@10 {ours} < popularity {popular}, promoted because the tenant has no live lists"
    return False, f"backtest NDCG@10 {ours} < popularity {popular}: the live lists of {live.get('trained_at')} stay"


def publish_run(serving: ItemStore, tenant_id: str, run: StorefrontRun, search: SearchIndex | None = None) -> dict[str, Any]:
    """Promote a run (or not) into the serving table and, with `search`, its catalogue (items with the
    run's popularity) into the search index first: a run whose catalogue cannot be indexed is not
    promoted. A promoted run's lists replace the live ones and lists of shoppers and items it no
    longer has are deleted; every run is kept under `run_key`."""
    live = serving.get(tenant_id, META_KEY)
    promoted, reason = promotion(run.summary, live)
    summary = {**run.summary, "promoted": promoted, "promotion_reason": reason}
    if promoted:
        if search is not None:
            items = [record for key, record in run.records.items() if key.startswith(list_key("item", ""))]
            summary["catalog_indexed"] = search.replace_catalog(tenant_id, catalog_products(items),
                                                                str(summary.get("model_version") or summary["trained_at"]))
        serving.put_many(tenant_id, run.records)
        stale = [r["item_key"] for kind in LIST_KINDS for r in serving.query(tenant_id, list_key(kind, ""))
                 if r["item_key"] not in run.records]
        serving.delete_many(tenant_id, stale)
        summary["deleted_stale"] = len(stale)
        serving.put(tenant_id, META_KEY, summary)
    serving.put(tenant_id, run_key(summary.get("model_version") or summary["trained_at"]), summary)
    return summary


def run_key(version: str) -> str:
    """Every training run's summary, promoted or not."""
    return f"storefront#run#{version}"


SUMMARY_FILE, LISTS_FILE = "summary.json", "serving.jsonl.gz"  # the training job's model artefact


def run_artefact_key(tenant_id: str, model_version: str) -> str:
    """Where SageMaker leaves a run's model.tar.gz: the run's prefix (the pipeline's output path and
    the job's name, the model version), then SageMaker's own `output/model.tar.gz`."""
    return model_prefix(tenant_id, model_version) + MODEL_ARCHIVE


def save_run(run: StorefrontRun, folder: str) -> None:
    """Write a run where the training job's model directory is (SageMaker packs it as model.tar.gz)."""
    import gzip
    import json
    from pathlib import Path

    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / SUMMARY_FILE).write_text(json.dumps(run.summary, default=str))
    with gzip.open(Path(folder) / LISTS_FILE, "wt", encoding="utf-8") as out:
        for key, record in run.records.items():
            out.write(json.dumps({"key": key, "record": record}, separators=(",", ":")) + "\n")


def load_run(archive: bytes) -> StorefrontRun:
    """A run from the training job's model.tar.gz."""
    import gzip
    import io
    import json
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        files = {member.name.removeprefix("./"): member for member in tar.getmembers() if member.isfile()}
        if SUMMARY_FILE not in files:
            raise ValueError(f"the training job's artefact has no {SUMMARY_FILE}")
        summary = json.loads(tar.extractfile(files[SUMMARY_FILE]).read())
        records = {}
        if LISTS_FILE in files:
            with gzip.open(tar.extractfile(files[LISTS_FILE]), "rt", encoding="utf-8") as lines:
                for line in lines:
                    entry = json.loads(line)
                    records[entry["key"]] = entry["record"]
    return StorefrontRun(summary, records)
