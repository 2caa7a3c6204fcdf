"""Positions and elasticities in the decisions table, as the training pipeline's LoadInsights step
writes them and pricing, approvals and alerts read them. Standard library only."""

import json
from datetime import datetime, timezone
from typing import Any

from ..forecasting.artefacts import ELASTICITIES, POSITIONS, TrainingRun
from ..ports import ItemStore, ObjectStore, read_json, read_lines

POSITION = "position#"
ELASTICITY = "elasticity#"
META = "meta#insights"


def position_key(store_id: str, sku_id: str) -> str:
    return f"{POSITION}{store_id}#{sku_id}"


def elasticity_key(sku_id: str, store_id: str | None) -> str:
    return f"{ELASTICITY}{sku_id}#{store_id or '*'}"


def replace(items: ItemStore, tenant_id: str, model_version: str, positions: list[dict[str, Any]],
            elasticities: list[dict[str, Any]]) -> dict[str, Any]:
    """Make a training run's positions and elasticities the tenant's current ones; those of series
    the run no longer has are removed."""
    fresh = {position_key(p["store_id"], p["sku_id"]): {**p, "model_version": model_version} for p in positions}
    fresh.update({elasticity_key(e["sku_id"], e.get("store_id")): {**e, "model_version": model_version} for e in elasticities})
    stale = [i["item_key"] for prefix in (POSITION, ELASTICITY) for i in items.query(tenant_id, prefix) if i["item_key"] not in fresh]
    items.put_many(tenant_id, fresh)
    items.delete_many(tenant_id, stale)
    meta = {"model_version": model_version, "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "positions": len(positions), "elasticities": len(elasticities),
            "identified": sum(1 for e in elasticities if e.get("identified"))}
    items.put_many(tenant_id, {META: meta})
    return {**meta, "removed": len(stale)}


def load_run(objects: ObjectStore, bucket: str, run: TrainingRun, items: ItemStore) -> dict[str, Any]:
    """The pipeline's LoadInsights step: a training run's positions and elasticities (written by the
    training job to the artifacts bucket) become the tenant's current ones."""
    elasticities = read_json(objects, bucket, run.key(ELASTICITIES))
    positions = [json.loads(line) for line in read_lines(objects, bucket, run.key(POSITIONS))]
    return replace(items, run.tenant_id, run.model_version, positions, elasticities)


def positions(items: ItemStore, tenant_id: str, store_id: str | None = None) -> list[dict[str, Any]]:
    return items.query(tenant_id, f"{POSITION}{store_id}#" if store_id else POSITION)


def elasticity(items: ItemStore, tenant_id: str, sku_id: str, store_id: str) -> dict[str, Any] | None:
    """The store's own estimate where the data allowed one, else the SKU's."""
    return items.get(tenant_id, elasticity_key(sku_id, store_id)) or items.get(tenant_id, elasticity_key(sku_id, None))
