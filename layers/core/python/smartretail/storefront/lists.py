"""The lists the storefront serves, computed by the training step from a fitted Recommender and the
events it was fitted on: each shopper's ranked candidates (more than a page, so the serving rules can
drop some and still fill it) with what they already have; each item's similar items (what the same
shoppers buy, and what reads alike, so a new item has neighbours); each item's bought-together items
(the same shopper's same-day basket, or session); popular items overall and per region."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .recommend import Recommender, _row_normalise, _top_k_per_row
from .serving import list_key

USER_CANDIDATES = 50
ITEM_NEIGHBOURS = 30
POPULAR = 100
MAX_OWNED = 1000  # most recent first; a serving-table item stays far under DynamoDB's 400 KB


def _entries(items: list[str], indices: np.ndarray, scores: np.ndarray, reason: str) -> list[dict[str, Any]]:
    return [{"item_id": items[i], "score": round(float(s), 5), "reason": reason} for i, s in zip(indices, scores) if s > 0]


def _top_rows(matrix: sp.csr_matrix, items: list[str], k: int, reason: str) -> dict[str, list[dict[str, Any]]]:
    top = _top_k_per_row(matrix.tocsr(), k)
    out = {}
    for r in range(top.shape[0]):
        start, end = top.indptr[r], top.indptr[r + 1]
        if end > start:
            order = np.argsort(-top.data[start:end], kind="stable")
            out[items[r]] = _entries(items, top.indices[start:end][order], top.data[start:end][order], reason)
    return out


def _text_neighbours(vectors: np.ndarray, k: int, batch: int = 2048) -> sp.csr_matrix:
    """Each item's k closest items by text, a block of rows at a time (never the full square)."""
    n = len(vectors)
    k = min(k, n - 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, batch):
        sims = vectors[start:start + batch] @ vectors.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(sims), 0), dtype=int)
        rows.append(np.repeat(np.arange(start, start + len(sims)), top.shape[1]))
        cols.append(top.ravel())
        vals.append(np.clip(np.take_along_axis(sims, top, axis=1).ravel(), 0, None))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n), dtype=np.float32)


def bought_together(events: pd.DataFrame, items: list[str], k: int = ITEM_NEIGHBOURS) -> dict[str, list[dict[str, Any]]]:
    """Items in the same basket (session where events carry one, else the shopper's day), scored by
    cosine over baskets so that staples everyone buys do not top every list."""
    index = {item: i for i, item in enumerate(items)}
    bought = events[events["event_type"].isin(["purchase", "add_to_cart"])]
    if bought.empty:
        return {}
    basket = (bought["session_id"].astype(str) if "session_id" in bought.columns and bought["session_id"].notna().all()
              else bought["user_id"].astype(str) + "|" + bought["timestamp"].dt.strftime("%Y-%m-%d"))
    codes, _ = pd.factorize(basket)
    cols = bought["item_id"].map(index).to_numpy()
    baskets = sp.csr_matrix((np.ones(len(codes), dtype=np.float32), (codes, cols)), shape=(codes.max() + 1, len(items)))
    baskets.data[:] = 1.0
    by_item = _row_normalise(baskets.T.tocsr())
    together = (by_item @ by_item.T).tocsr()
    together.setdiag(0)
    together.eliminate_zeros()
    return _top_rows(together, items, k, "bought together")


def serving_lists(model: Recommender, events: pd.DataFrame, k: int = USER_CANDIDATES) -> dict[str, dict[str, Any]]:
    """Every list as serving-table items keyed by `list_key`, for one tenant."""
    src = model.sources
    assert src is not None, "fit() first"
    lists: dict[str, dict[str, Any]] = {}
    ranked = model.recommend(src.users, k=k)
    latest = events.sort_values("timestamp").drop_duplicates(["user_id", "item_id"], keep="last")
    owned = latest.groupby("user_id")["item_id"].agg(lambda s: list(s)[::-1][:MAX_OWNED])
    for user, recs in ranked.items():
        lists[list_key("user", user)] = {"items": [{"item_id": r.item_id, "score": round(r.score, 5), "reason": r.reason} for r in recs],
                                         "owned": owned.get(user, [])}
    similar = src.co_bought.copy()
    if src.item_vectors is not None:  # half behaviour, half text: new items get neighbours too
        text = _text_neighbours(src.item_vectors, ITEM_NEIGHBOURS)
        similar = 0.5 * similar + 0.5 * text
    for item, entries in _top_rows(similar.tocsr(), src.items, ITEM_NEIGHBOURS, "similar").items():
        lists[list_key("similar", item)] = {"items": entries}
    for item, entries in bought_together(events, src.items).items():
        lists[list_key("together", item)] = {"items": entries}
    for region, pop in [("all", src.pop_all), *src.region_pop.items()]:
        score = np.log1p(pop) + np.log1p(src.pop_recent)
        order = np.argsort(-score, kind="stable")[:POPULAR]
        reason = "popular" if region == "all" else f"popular in {region}"
        lists[list_key("popular", region)] = {"items": _entries(src.items, order, score[order], reason)}
    return lists
