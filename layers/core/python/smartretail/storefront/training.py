"""The storefront's training step for one tenant: read the shopper events (delivered by the stream,
and uploaded as files through ingestion) and the catalogue the tenant uploaded, fit the recommender
(its gate picks the ordering), backtest it against popularity on the last weeks, and produce every
serving list, the catalogue's items and a summary. The training job (`sagemaker_jobs/storefront`)
runs `load_inputs` + `fit_storefront` and writes the result as its model artefact; the pipeline's
loader runs `publish_run`, which promotes a run only where its backtest does not lose to popularity.
Reads and writes only through ports: the same code runs in AWS and on the local stack."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from ..lake import accepted_prefix
from ..ports import ItemStore, ObjectStore, SearchIndex, read_lines
from .events import read_events, stream_prefix
from .interactions import clean_interactions
from .lists import serving_lists
from .recommend import Recommender, RecommenderConfig
from .publishing import StorefrontRun, publish_run
from .serving import CatalogItem, list_key

MIN_EVENTS = 50
UPLOADED_EVENTS = "shopper-events"  # the ingestion dataset of shopper events uploaded as files
LINEAGE = ("upload_id", "ingested_at", "row_number")


def _latest_rows(store: ObjectStore, bucket: str, tenant_id: str, dataset: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_lines(store, bucket, accepted_prefix(tenant_id, dataset))]


def read_catalogue(store: ObjectStore, bucket: str, tenant_id: str) -> list[CatalogItem]:
    """Items from the tenant's accepted products (the latest row of each SKU) with the stock of the
    latest inventory day summed over stores (unknown stays unknown, never zero)."""
    products: dict[str, dict[str, Any]] = {}
    for row in _latest_rows(store, bucket, tenant_id, "products"):
        products[str(row["sku_id"]).strip().upper()] = row
    stock: dict[str, tuple[str, int | None]] = {}
    for row in _latest_rows(store, bucket, tenant_id, "inventory"):
        sku, day = str(row["sku_id"]).strip().upper(), str(row["date"])
        on_hand = row.get("on_hand")
        if sku not in stock or day > stock[sku][0]:
            stock[sku] = (day, on_hand)
        elif day == stock[sku][0] and on_hand is not None:
            stock[sku] = (day, (stock[sku][1] or 0) + on_hand)
    return [CatalogItem(sku, row.get("name") or "", row.get("seller_id"), stock.get(sku, (None, None))[1],
                        category=row.get("category"), brand=row.get("brand"), price=row.get("list_price"))
            for sku, row in products.items()]


def backtest(events: pd.DataFrame, items: pd.DataFrame | None, embedder: Any, config: RecommenderConfig, days: int = 28) -> dict[str, Any]:
    """NDCG@10 on the new items shoppers bought in the last `days`, of the recommender fitted on the
    history before, against popularity: the number the storefront's model card reports."""
    import numpy as np

    cut = events["timestamp"].max() - pd.Timedelta(days=days)
    before, after = events[events["timestamp"] <= cut], events[(events["timestamp"] > cut) & (events["event_type"] == "purchase")]
    owned = before.groupby("user_id")["item_id"].agg(set)
    truth = {u: set(i) - owned[u] for u, i in after.groupby("user_id")["item_id"] if u in owned.index and set(i) - owned[u]}
    if len(truth) < 10:
        return {"shoppers": len(truth), "note": "too few returning shoppers with new purchases to measure"}
    model = Recommender(config, embedder).fit(before, items)
    ranked = model.recommend(sorted(truth), k=10)
    popular = [r.item_id for r in model.popular(10 + max(len(v) for v in owned))]
    discount = 1 / np.log2(np.arange(2, 12))

    def ndcg(lists: dict[str, list[str]]) -> float:
        return float(np.mean([sum(discount[i] for i, item in enumerate(lists[u][:10]) if item in truth[u]) /
                              discount[: min(10, len(truth[u]))].sum() for u in truth]))

    return {"shoppers": len(truth), "days": days, "ndcg_at_10": round(ndcg({u: [r.item_id for r in ranked[u]] for u in truth}), 4),
            "popularity_ndcg_at_10": round(ndcg({u: [i for i in popular if i not in owned[u]] for u in truth}), 4)}


def load_inputs(objects: ObjectStore, raw_bucket: str, tenant_id: str,
                history_days: int = RecommenderConfig.history_days) -> tuple[list[dict[str, Any]], list[CatalogItem]]:
    """The tenant's shopper events (streamed and uploaded, each event_id once) and catalogue. Stream
    files delivered more than `history_days` (and a day's delivery lag) before the newest delivery
    are not read: a file holds events up to its delivery day, all of them too old to learn from."""
    prefix = stream_prefix(tenant_id)
    days = {key: _delivery_day(key, prefix) for key in objects.keys(raw_bucket, prefix)}
    newest = max((d for d in days.values() if d is not None), default=None)
    oldest = newest - timedelta(days=history_days + 1) if newest else None
    recent = lambda key: oldest is None or days.get(key) is None or days[key] >= oldest  # noqa: E731
    uploaded = (json.dumps({**{k: v for k, v in row.items() if v is not None and k not in LINEAGE}, "tenant_id": tenant_id,
                            "event_type": row.get("event_type") or "purchase"})
                for row in _latest_rows(objects, raw_bucket, tenant_id, UPLOADED_EVENTS))
    records = read_events(itertools.chain(read_lines(objects, raw_bucket, prefix, keep=recent), uploaded), tenant_id)
    return records, read_catalogue(objects, raw_bucket, tenant_id)


def _delivery_day(key: str, prefix: str) -> date | None:
    """The day in a stream file's key (Firehose's `yyyy/MM/dd/` after the prefix), if it has one."""
    parts = key.removeprefix(prefix).split("/")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])) if len(parts) > 3 else None
    except ValueError:
        return None


def fit_storefront(tenant_id: str, records: list[dict[str, Any]], catalogue: list[CatalogItem], embedder: Any = None,
                   config: RecommenderConfig | None = None, model_version: str | None = None) -> StorefrontRun:
    """Fit one tenant's recommender and build everything the storefront serves (nothing written)."""
    config = config or RecommenderConfig()
    summary: dict[str, Any] = {"tenant_id": tenant_id, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "events": len(records), "items": len(catalogue)}
    if model_version:
        summary["model_version"] = model_version
    if len(records) < MIN_EVENTS:
        summary["status"] = f"not trained: {len(records)} shopper events, at least {MIN_EVENTS} are needed"
        return StorefrontRun(summary)
    loaded = clean_interactions(pd.DataFrame(records))
    events = loaded.frame
    if len(events):  # the last `history_days` before the newest event: old tastes do not describe today's shoppers
        recent = events["timestamp"] >= events["timestamp"].max() - pd.Timedelta(days=config.history_days)
        summary["events_before_window"] = int((~recent).sum())
        events = events[recent]
    items = pd.DataFrame([{"item_id": c.item_id, "title": c.title, "text": " ".join(filter(None, [c.title, c.category, c.brand]))}
                          for c in catalogue]) if catalogue else None
    summary["backtest"] = backtest(events, items, embedder, config)
    model = Recommender(config, embedder).fit(events, items)
    lists = serving_lists(model, events)
    popularity = dict(zip(model.sources.items, model.sources.pop_all.tolist()))
    known = {c.item_id for c in catalogue}
    item_records = {list_key("item", c.item_id): {**c.record(), "popularity": popularity.get(c.item_id, 0.0),
                                                   "repeat_purchase": _repeat(model, c.item_id)} for c in catalogue}
    # Items shoppers interact with that the catalogue does not list are served only once it lists them.
    summary.update({"status": "trained", "order_by": model.order_by, "gate": model.training_report.get("gate"),
                    "rows_skipped": loaded.reasons, "lists": len(lists), "unlisted_items": len(set(model.sources.items) - known)})
    return StorefrontRun(summary, {**lists, **item_records})


def train_storefront(tenant_id: str, objects: ObjectStore, raw_bucket: str, serving: ItemStore, embedder: Any = None,
                     config: RecommenderConfig | None = None, search: SearchIndex | None = None) -> dict[str, Any]:
    """Train and publish one tenant's storefront lists in one process (tests, benchmarks); the pipeline
    runs the same three steps as a training job and a loader. The summary stored."""
    records, catalogue = load_inputs(objects, raw_bucket, tenant_id, (config or RecommenderConfig()).history_days)
    return publish_run(serving, tenant_id, fit_storefront(tenant_id, records, catalogue, embedder, config), search)


def _repeat(model: Recommender, item_id: str) -> bool:
    """Shoppers come back for it (a third of its buyers bought it on more than one day): offered again."""
    index = model.sources.item_index.get(item_id)
    return bool(index is not None and model.sources.item_repeat[index] >= 1 / 3)
