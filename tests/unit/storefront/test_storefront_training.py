"""The storefront's training step split as the pipeline runs it: inputs from the stream and from
uploaded files (each event once), the fitted run as the training job's artefact, and the loader's
promotion (a run that loses to popularity keeps the live lists; stale lists go; a promoted run's
catalogue becomes searchable)."""

import json

from smartretail.adapters.local_search import ObjectStoreSearchIndex
from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.lake import accepted_prefix
from smartretail.storefront.events import stream_prefix
from smartretail.storefront.keys import META_KEY, list_key
from smartretail.storefront.publishing import StorefrontRun, load_run, promotion, publish_run, run_key, save_run
from smartretail.storefront.recommend import RecommenderConfig
from smartretail.storefront.training import fit_storefront, load_inputs

BUCKET = "raw"


def _lines(rows):
    return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()


def _stored(events, items, tenant="t1"):
    """Half the generated purchases streamed, the other half (and a repeat of one streamed event)
    uploaded as a shopper-events file; the catalogue uploaded as products."""
    objects = MemoryObjectStore()
    rows = [{"event_id": f"e{i}", "user_id": r.user_id, "item_id": r.item_id, "event_type": "purchase",
             "timestamp": r.timestamp.isoformat() + "Z", "store_id": r.store_id} for i, r in enumerate(events.itertuples())]
    half = len(rows) // 2
    objects.put_bytes(BUCKET, f"{stream_prefix(tenant)}2025/01/01/part-1", _lines({**r, "tenant_id": tenant} for r in rows[:half]))
    uploaded = [{**r, "event_type": None, "session_id": None, "quantity": None, "price": None, "upload_id": "u1",
                 "ingested_at": "2025-06-01T00:00:00Z", "row_number": n} for n, r in enumerate(rows[half:] + rows[:1], start=2)]
    objects.put_bytes(BUCKET, f"{accepted_prefix(tenant, 'shopper-events')}u1.jsonl", _lines(uploaded))
    products = [{"sku_id": r.item_id, "name": r.title, "category": "kitchen" if r.item_id.startswith(("K", "NEW-K")) else "garden"}
                for r in items.itertuples()]
    objects.put_bytes(BUCKET, f"{accepted_prefix(tenant, 'products')}p1.jsonl", _lines(products))
    return objects, rows


def test_inputs_join_streamed_and_uploaded_events_each_once_with_a_blank_type_as_a_purchase(events, items):
    objects, rows = _stored(events, items)
    records, catalogue = load_inputs(objects, BUCKET, "t1")
    assert len(records) == len(rows) and len({r["event_id"] for r in records}) == len(rows)
    assert {r["event_type"] for r in records} == {"purchase"} and all("upload_id" not in r for r in records)
    assert {c.item_id for c in catalogue} == set(items["item_id"])
    assert load_inputs(objects, BUCKET, "t2") == ([], [])  # another tenant's files are not read


def test_a_fitted_run_survives_the_training_artefact_and_is_promoted_into_the_serving_table(events, items, tmp_path):
    objects, _ = _stored(events, items)
    records, catalogue = load_inputs(objects, BUCKET, "t1")
    run = fit_storefront("t1", records, catalogue, model_version="sf-1")
    assert run.summary["status"] == "trained" and run.summary["backtest"]["shoppers"] >= 10
    save_run(run, str(tmp_path / "model"))
    import tarfile

    with tarfile.open(tmp_path / "model.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "model", arcname=".")
    loaded = load_run((tmp_path / "model.tar.gz").read_bytes())
    assert loaded.summary == json.loads(json.dumps(run.summary, default=str)) and loaded.records == json.loads(json.dumps(run.records))

    serving = MemoryItemStore()
    serving.put("t1", list_key("user", "gone-shopper"), {"items": [], "owned": []})  # from an older run
    serving.put("t1", "storefront#rules", {"banned_sellers": ["s9"]})
    search = ObjectStoreSearchIndex(MemoryObjectStore(), "search", WordLlamaEmbedder)
    summary = publish_run(serving, "t1", loaded, search)
    assert summary["promoted"] and serving.get("t1", META_KEY)["model_version"] == "sf-1"
    assert summary["catalog_indexed"] == len(items)  # the promoted run's catalogue is searchable
    found = search.search_catalog("t1", "garden spade")
    assert found.items[0]["item_id"].startswith("G") and found.fallback is None
    assert search.search_catalog("t2", "garden spade").items == []  # another tenant has no catalogue
    assert serving.get("t1", list_key("user", "gone-shopper")) is None and summary["deleted_stale"] == 1
    assert serving.get("t1", "storefront#rules")  # what is not a list is left alone
    assert serving.get("t1", list_key("item", "NEW-K"))["title"] == "kitchen knife and pan set, new"
    assert serving.get("t1", run_key("sf-1"))["promoted"]
    assert serving.get("t2", META_KEY) is None


def test_a_run_that_loses_to_popularity_keeps_the_live_lists_unless_there_are_none():
    losing = {"status": "trained", "backtest": {"ndcg_at_10": 0.10, "popularity_ndcg_at_10": 0.20, "shoppers": 40, "days": 28}}
    live = {"status": "trained", "trained_at": "2025-05-01T00:00:00+00:00"}
    assert promotion(losing, live) == (False, "backtest NDCG@10 0.1 < popularity 0.2: the live lists of 2025-05-01T00:00:00+00:00 stay")
    assert promotion(losing, None)[0] is True
    assert promotion({**losing, "backtest": {**losing["backtest"], "ndcg_at_10": 0.2}}, live)[0] is True
    assert promotion({"status": "trained", "backtest": {"shoppers": 3, "note": "too few"}}, live) == (True, "promoted without a backtest: too few")
    assert promotion({"status": "not trained: 3 shopper events, at least 50 are needed"}, None)[0] is False

    serving = MemoryItemStore()
    serving.put("t1", META_KEY, live)
    serving.put("t1", list_key("user", "u1"), {"items": [{"item_id": "K1", "score": 1.0}], "owned": []})
    summary = publish_run(serving, "t1", StorefrontRun({**losing, "model_version": "sf-2"}, {list_key("user", "u2"): {"items": [], "owned": []}}))
    assert not summary["promoted"] and serving.get("t1", META_KEY)["trained_at"] == live["trained_at"]
    assert serving.get("t1", list_key("user", "u1")) and serving.get("t1", list_key("user", "u2")) is None
    assert serving.get("t1", run_key("sf-2"))["promotion_reason"].startswith("backtest NDCG@10 0.1 < popularity 0.2")


def test_too_few_events_train_nothing_and_say_so():
    run = fit_storefront("t1", [{"event_id": "e1", "user_id": "u", "item_id": "K1", "event_type": "view",
                                 "timestamp": "2025-01-01T00:00:00Z"}], [])
    assert run.records == {} and run.summary["status"] == "not trained: 1 shopper events, at least 50 are needed"


def test_only_the_last_history_days_are_read_from_the_stream_and_learnt_from(events, items):
    objects, rows = _stored(events, items)
    old = [{"event_id": f"old{i}", "user_id": "u-then", "item_id": "K1", "event_type": "purchase", "tenant_id": "t1",
            "timestamp": "2021-03-01T10:00:00Z"} for i in range(3)]
    objects.put_bytes(BUCKET, f"{stream_prefix('t1')}2021/03/01/part-0", _lines(old))  # delivered four years before the rest
    objects.put_bytes(BUCKET, f"{stream_prefix('t1')}2024/12/30/part-0", _lines([{**old[0], "event_id": "late"}]))
    records, catalogue = load_inputs(objects, BUCKET, "t1")
    ids = {r["event_id"] for r in records}
    assert "old0" not in ids and "late" in ids and len(records) == len(rows) + 1  # 2024/12/30 is inside the window
    assert {r["event_id"] for r in load_inputs(objects, BUCKET, "t1", history_days=5000)[0]} >= {"old0", "old1", "old2"}
    run = fit_storefront("t1", records, catalogue)
    assert run.summary["events_before_window"] == 1  # the late file's 2021 event: read, but not learnt from
    stale = fit_storefront("t1", records, catalogue, config=RecommenderConfig(history_days=30))
    assert stale.summary["events_before_window"] > 0 and stale.summary["status"] == "trained"
