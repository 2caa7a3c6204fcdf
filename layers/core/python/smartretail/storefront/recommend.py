"""Shopper recommendations: candidates from several sources, ranked by a learned scorer.

Why several sources: implicit ALS finds taste, item-item co-occurrence finds what goes with what a
shopper has, item text reaches items nobody has bought yet, popularity and trend (per region where
events carry a store) cover new shoppers. Why a learned ranker: which source to trust differs by
catalogue and shopper, so a LightGBM LambdaRank model learns it from the data itself, split in time:
candidates made from the history before an internal cut-off, labelled by what each shopper went on to
buy after it. The sources are then refitted on the whole history and the ranker scores their
candidates. Items a shopper already has are left out (the storefront's "new to you" lists)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .interactions import EVENT_WEIGHTS

SOURCES = ("als", "co_bought", "co_bm25", "content", "popularity")  # each can order the lists alone (the gate)


@dataclass(frozen=True)
class RecommenderConfig:
    factors: int = 64
    regularization: float = 0.05
    alpha: float = 5.0
    iterations: int = 15
    neighbours: int = 200  # co-bought neighbours kept per item
    near_neighbours: int = 20
    candidates_per_source: int = 100
    label_days: int | None = None  # the ranker's label window; None: a fifth of the history, 14 to 60 days
    recent_days: int = 30  # "trending" and recency features look this far back
    history_days: int = 730  # events older than this before the newest are not learnt from (nor read from the stream)
    max_training_users: int = 6000
    ranker_trees: int = 300
    ranker_cuts: int = 2
    seed: int = 7


@dataclass
class Recommendation:
    item_id: str
    score: float
    reason: str


def _threads() -> None:
    # implicit warns (and slows down) when BLAS runs its own threads inside its solver.
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, "blas")
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn and implicit
        pass


def _row_normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ matrix


def _top_k_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep each row's k largest entries (a sparse neighbour list)."""
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for r in range(matrix.shape[0]):
        start, end = matrix.indptr[r], matrix.indptr[r + 1]
        if end == start:
            continue
        data, idx = matrix.data[start:end], matrix.indices[start:end]
        if len(data) > k:
            keep = np.argpartition(-data, k)[:k]
            data, idx = data[keep], idx[keep]
        rows.append(np.full(len(idx), r))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape, dtype=np.float32)


class _Sources:
    """Every candidate source and feature fitted on one slice of history (before `now`)."""

    def __init__(self, events: pd.DataFrame, items: list[str], item_vectors: np.ndarray | None, config: RecommenderConfig):
        from implicit.als import AlternatingLeastSquares

        _threads()  # after implicit's import, which loads scipy's own BLAS

        self.config, self.items = config, items
        self.item_index = {item: i for i, item in enumerate(items)}
        self.users = [str(u) for u in pd.unique(events["user_id"].astype(str))]
        self.user_index = {user: u for u, user in enumerate(self.users)}
        self.now = events["timestamp"].max()
        u = events["user_id"].map(self.user_index).to_numpy()
        i = events["item_id"].map(self.item_index).to_numpy()
        weight = events["event_type"].map(EVENT_WEIGHTS).fillna(1.0).to_numpy()
        n_users, n_items = len(self.users), len(items)
        self.strength = sp.csr_matrix((weight, (u, i)), shape=(n_users, n_items), dtype=np.float32)
        self.strength.sum_duplicates()
        self.owned = self.strength.copy()
        self.owned.data[:] = 1.0

        # Recency: how long ago each shopper last touched each item (used to weight their history).
        age_days = ((self.now - events["timestamp"]).dt.total_seconds() / 86400.0).to_numpy()
        last = pd.DataFrame({"u": u, "i": i, "age": age_days}).groupby(["u", "i"])["age"].min()
        self.recency = sp.csr_matrix((np.exp(-last.to_numpy() / 90.0), (last.index.get_level_values(0), last.index.get_level_values(1))),
                                     shape=(n_users, n_items), dtype=np.float32)

        self.als = AlternatingLeastSquares(factors=config.factors, regularization=config.regularization, alpha=config.alpha,
                                           iterations=config.iterations, random_state=config.seed)
        confidence = self.strength.copy()
        confidence.data = np.log1p(confidence.data).astype(np.float32)
        self.als.fit(confidence, show_progress=False)
        self.confidence = confidence

        # Item-item cosine over who bought what: what goes with what.
        by_item = _row_normalise(self.owned.T.tocsr())
        similarity = (by_item @ by_item.T).tocsr()
        similarity.setdiag(0)
        similarity.eliminate_zeros()
        self.co_bought = _top_k_per_row(similarity, config.neighbours)
        self.co_near = _top_k_per_row(self.co_bought, config.near_neighbours)  # only the closest few: sharper
        # The same with BM25 weighting (implicit's defaults): shoppers who buy everything count for less.
        from implicit.nearest_neighbours import BM25Recommender

        bm25 = BM25Recommender()
        with warnings.catch_warnings():  # implicit converts its own BM25 weights to CSR and warns about it
            warnings.simplefilter("ignore")
            bm25.fit(self.owned, show_progress=False)
        self.co_bm25 = bm25.similarity.tocsr().astype(np.float32)
        self.co_bm25.setdiag(0)
        self.co_bm25.eliminate_zeros()

        # Popularity: distinct shoppers per item, overall and recently; per region where there is one.
        recent = events["timestamp"] >= self.now - pd.Timedelta(days=config.recent_days)
        self.pop_all = np.asarray(self.owned.sum(axis=0)).ravel()
        recent_pairs = events.loc[recent, ["user_id", "item_id"]].drop_duplicates()
        self.pop_recent = np.bincount(recent_pairs["item_id"].map(self.item_index), minlength=n_items).astype(np.float64)
        self.trend = (self.pop_recent + 1) / (self.pop_all * config.recent_days / max(1.0, self._span_days(events)) + 1)
        self.region_pop: dict[str, np.ndarray] = {}
        self.user_region: dict[int, str] = {}
        if "store_id" in events.columns and events["store_id"].notna().any():
            with_region = events.dropna(subset=["store_id"])
            pairs = with_region[["store_id", "user_id", "item_id"]].drop_duplicates()
            for region, group in pairs.groupby("store_id"):
                self.region_pop[str(region)] = np.bincount(group["item_id"].map(self.item_index), minlength=n_items).astype(np.float64)
            home = with_region.groupby("user_id")["store_id"].agg(lambda s: s.value_counts().index[0])
            self.user_region = {self.user_index[user]: str(region) for user, region in home.items()}

        # Item facts: age, last sale, how often buyers come back for it, price.
        ts = events.groupby(events["item_id"].map(self.item_index))["timestamp"]
        self.item_first_age = np.full(n_items, 9999.0)
        self.item_last_age = np.full(n_items, 9999.0)
        self.item_first_age[ts.min().index] = (self.now - ts.min()).dt.days.to_numpy()
        self.item_last_age[ts.max().index] = (self.now - ts.max()).dt.days.to_numpy()
        days = events.assign(day=events["timestamp"].dt.floor("D"))[["user_id", "item_id", "day"]].drop_duplicates()
        per_pair = days.groupby(["user_id", "item_id"]).size()
        repeat = (per_pair > 1).groupby(level="item_id").mean()
        self.item_repeat = np.zeros(n_items)
        self.item_repeat[repeat.index.map(self.item_index)] = repeat.to_numpy()
        self.item_price = np.full(n_items, np.nan)
        if "price" in events.columns:
            price = pd.to_numeric(events["price"], errors="coerce").groupby(events["item_id"].map(self.item_index)).median()
            self.item_price[price.index] = price.to_numpy()

        # Shopper facts.
        by_user = events.groupby(u)
        self.user_events = by_user.size().reindex(range(n_users), fill_value=0).to_numpy(dtype=float)
        self.user_items = np.diff(self.owned.indptr).astype(float)
        self.user_last_age = (self.now - by_user["timestamp"].max()).dt.days.reindex(range(n_users)).to_numpy(dtype=float)
        self.user_tenure = (self.now - by_user["timestamp"].min()).dt.days.reindex(range(n_users)).to_numpy(dtype=float)
        self.user_price = np.full(n_users, np.nan)
        if "price" in events.columns:
            up = pd.to_numeric(events["price"], errors="coerce").groupby(u).median()
            self.user_price[up.index] = up.to_numpy()

        self.item_vectors = item_vectors

    @staticmethod
    def _span_days(events: pd.DataFrame) -> float:
        return (events["timestamp"].max() - events["timestamp"].min()).total_seconds() / 86400.0 + 1

    # --- scores for a batch of shoppers, each a row of owned items -------------------------------

    def scores(self, users: np.ndarray | None, rows: sp.csr_matrix, recency: sp.csr_matrix) -> dict[str, np.ndarray]:
        """Each source's score for every item, one row per shopper. `users` are indices of known
        shoppers (their ALS factors are used), or None for shoppers seen only through `rows`."""
        if users is not None:
            factors = self.als.user_factors[users]
        else:
            confidence = rows.copy()
            confidence.data = np.log1p(confidence.data).astype(np.float32)
            factors = np.vstack([self.als.recalculate_user(0, confidence[r]) for r in range(rows.shape[0])])
        owned = rows.copy()
        owned.data[:] = 1.0
        weighted = owned.multiply(recency).tocsr() if recency is not None else owned
        if recency is not None:  # the shopper's latest visit: the items touched on their most recent day
            latest = recency.tocsr(copy=True)
            threshold = latest.max(axis=1).toarray().ravel()
            latest.data = (latest.data >= np.repeat(threshold, np.diff(latest.indptr)) * 0.99).astype(np.float32)
            latest.eliminate_zeros()
        else:
            latest = owned
        out = {
            "als": np.asarray(factors @ self.als.item_factors.T, dtype=np.float32),
            "co_bought": np.asarray((weighted @ self.co_bought).todense(), dtype=np.float32),
            "co_bought_sum": np.asarray((owned @ self.co_bought).todense(), dtype=np.float32),
            "co_near": np.asarray((weighted @ self.co_near).todense(), dtype=np.float32),
            "co_latest": np.asarray((latest @ self.co_bought).todense(), dtype=np.float32),
            "co_bm25": np.asarray((owned @ self.co_bm25).todense(), dtype=np.float32),
        }
        if self.item_vectors is not None:
            profile = np.asarray(weighted @ self.item_vectors, dtype=np.float32)
            norms = np.linalg.norm(profile, axis=1, keepdims=True)
            norms[norms == 0] = 1
            out["content"] = (profile / norms) @ self.item_vectors.T
        else:
            out["content"] = np.zeros_like(out["als"])
        return out


def _rank_of(matrix: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Each candidate's rank within its row's scores (0 = best), computed over the whole row."""
    order = np.argsort(-matrix, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(matrix.shape[0])[:, None]
    ranks[rows, order] = np.arange(matrix.shape[1])[None, :]
    return np.take_along_axis(ranks, candidates, axis=1)


FEATURES = ("als", "als_rank", "co_bought", "co_bought_rank", "co_bought_sum", "co_near", "co_latest", "co_bm25", "co_bm25_rank", "content", "content_rank",
            "pop_all", "pop_recent", "pop_region", "trend", "item_age", "item_last_age", "item_repeat",
            "user_events", "user_items", "user_last_age", "user_tenure", "price_ratio")


def _features(src: _Sources, users: np.ndarray | None, rows: sp.csr_matrix, recency: sp.csr_matrix | None,
              regions: list[str | None], user_facts: np.ndarray, n_candidates: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """Candidates (not yet owned) and their features, shaped (shoppers, candidates, features)."""
    s = src.scores(users, rows, recency)
    n = len(src.items)
    owned_mask = np.asarray(rows.todense()) > 0
    region_pop = np.vstack([src.region_pop.get(r, src.pop_all) if r else src.pop_all for r in regions])
    pools = []
    for key in ("als", "co_bought", "co_bm25", "content"):
        pools.append(np.where(owned_mask, -np.inf, s[key]))
    pools.append(np.where(owned_mask, -np.inf, np.log1p(region_pop) + np.log1p(src.pop_recent)[None, :]))
    per = min(n_candidates, n)
    chosen = np.concatenate([np.argpartition(-p, per - 1, axis=1)[:, :per] if per < n else np.tile(np.arange(n), (p.shape[0], 1))
                             for p in pools], axis=1)
    chosen.sort(axis=1)
    # Deduplicate per row keeping a fixed width: repeated ids become the row's first id, masked later.
    dup = np.zeros_like(chosen, dtype=bool)
    dup[:, 1:] = chosen[:, 1:] == chosen[:, :-1]
    valid = ~dup & ~np.take_along_axis(owned_mask, chosen, axis=1)
    take = lambda m: np.take_along_axis(m, chosen, axis=1)  # noqa: E731
    price = src.item_price[chosen]
    feats = np.stack([
        take(s["als"]), _rank_of(s["als"], chosen), take(s["co_bought"]), _rank_of(s["co_bought"], chosen), take(s["co_bought_sum"]),
        take(s["co_near"]), take(s["co_latest"]), take(s["co_bm25"]), _rank_of(s["co_bm25"], chosen), take(s["content"]), _rank_of(s["content"], chosen),
        np.log1p(src.pop_all[chosen]), np.log1p(src.pop_recent[chosen]), np.log1p(take(region_pop)), src.trend[chosen],
        src.item_first_age[chosen], src.item_last_age[chosen], src.item_repeat[chosen],
        *(np.broadcast_to(user_facts[:, j:j + 1], chosen.shape) for j in range(4)),
        price / user_facts[:, 4:5],
    ], axis=2).astype(np.float32)
    return chosen, valid, {"feats": feats, "scores": s}


def _source_score(feats: np.ndarray, source: str) -> np.ndarray:
    """One source's own ordering of candidates (features in the last axis)."""
    if source == "popularity":  # as the popularity candidates are chosen: regional, then recent
        return feats[..., FEATURES.index("pop_region")] + feats[..., FEATURES.index("pop_recent")]
    return feats[..., FEATURES.index(source)]


class Recommender:
    """fit() on interactions (and optionally the catalogue); recommend() for known shoppers;
    recommend_for_session() for a shopper known only by a few interactions."""

    def __init__(self, config: RecommenderConfig | None = None, embedder: Any = None):
        self.config = config or RecommenderConfig()
        self.embedder = embedder
        self.ranker = None
        self.order_by = "sources"  # "ranker", one of SOURCES, or "sources" (best rank of any) before fit
        self.sources: _Sources | None = None
        self.titles: dict[str, str] = {}  # what reasons name an item by
        self.texts: dict[str, str] = {}  # what the embedder reads: the `text` column (title, category, brand ...) or the title
        self.training_report: dict[str, Any] = {}

    # --- fitting -----------------------------------------------------------------------------

    def _item_vectors(self, items: list[str]) -> np.ndarray | None:
        if self.embedder is None or not self.texts:
            return None
        return np.asarray(self.embedder.embed([self.texts.get(i, "") for i in items]), dtype=np.float32)

    def fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None = None) -> "Recommender":
        cfg = self.config
        events = interactions.sort_values("timestamp").reset_index(drop=True)
        if items is not None and "title" in items.columns:
            self.titles = dict(zip(items["item_id"].astype(str), items["title"].fillna("").astype(str)))
            text = items["text"] if "text" in items.columns else items["title"]
            self.texts = dict(zip(items["item_id"].astype(str), text.fillna("").astype(str)))
        catalogue = [str(i) for i in pd.unique(pd.concat([events["item_id"].astype(str), pd.Series(list(self.titles), dtype=str)], ignore_index=True))]
        vectors = self._item_vectors(catalogue)

        span = (events["timestamp"].max() - events["timestamp"].min()).days + 1
        label_days = cfg.label_days or int(min(60, max(14, span // 5)))
        self.training_report = {"label_days": label_days, "events": len(events), "cuts": []}
        examples = []  # per cut, newest first: (features, labels, group sizes)
        for back in range(1, cfg.ranker_cuts + 1):  # several cut-offs: more shoppers to learn from, less luck of one period
            cut = events["timestamp"].max() - pd.Timedelta(days=back * label_days)
            before = events[events["timestamp"] <= cut]
            after = events[(events["timestamp"] > cut) & (events["timestamp"] <= cut + pd.Timedelta(days=label_days))]
            if before["user_id"].nunique() < 20 or after.empty:
                break
            X, y, groups, recall = self._ranker_examples(_Sources(before, catalogue, vectors, cfg), after)
            if groups:
                examples.append((X, y, groups))
            self.training_report["cuts"].append({"cut": str(cut), "shoppers": len(groups), "candidate_recall": recall})
        self.order_by = "sources"
        if examples:
            self.order_by = self._gate(examples) if len(examples) > 1 else "ranker"
            if self.order_by == "ranker":
                self.ranker = self._fit_ranker(examples)
        self.sources = _Sources(events, catalogue, vectors, cfg)
        return self

    def _fit_ranker(self, examples: list) -> Any:
        import lightgbm as lgb

        cfg = self.config
        ranker = lgb.LGBMRanker(objective="lambdarank", n_estimators=cfg.ranker_trees, learning_rate=0.05, num_leaves=31,
                                min_child_samples=50, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                random_state=cfg.seed, verbose=-1, lambdarank_truncation_level=20)
        ranker.fit(np.vstack([x for X, _, _ in examples for x in X]), np.concatenate([v for _, y, _ in examples for v in y]),
                   group=[g for _, _, groups in examples for g in groups])
        return ranker

    def _gate(self, examples: list) -> str:
        """The backtest gate: a ranker learned on the older cut-offs must beat every single source on
        the newest one, or that source orders the lists. Where what shoppers buy next is mostly what
        everyone buys (groceries), popularity alone is the better ranking and the gate keeps it."""
        newest, older = examples[0], examples[1:]
        ranker = self._fit_ranker(older)
        X, y, _ = newest
        discount = 1 / np.log2(np.arange(2, 12))

        def ndcg(score_of) -> float:
            values = []
            for feats, labels in zip(X, y):
                top = np.argsort(-score_of(feats), kind="stable")[:10]
                ideal = discount[: min(10, int(labels.sum()))].sum()
                values.append(float(labels[top] @ discount[: len(top)]) / ideal)
            return float(np.mean(values))

        systems = {"ranker": ndcg(ranker.predict)}
        systems.update({source: ndcg(lambda f, source=source: _source_score(f, source)) for source in SOURCES})
        self.training_report["gate"] = {name: round(v, 4) for name, v in systems.items()}
        return max(systems, key=systems.get)


    def _ranker_examples(self, src: _Sources, after: pd.DataFrame) -> tuple[list, list, list, float]:
        """Candidates made before the cut, labelled 1 where the shopper bought that new item after it."""
        wanted = after[after["user_id"].isin(src.user_index)].groupby("user_id")["item_id"].agg(set)
        new_items = {user: {src.item_index[i] for i in items} - set(src.owned[src.user_index[user]].indices)
                     for user, items in wanted.items()}
        users = [user for user, new in new_items.items() if new]
        if len(users) > self.config.max_training_users:
            users = list(np.random.default_rng(self.config.seed).choice(users, self.config.max_training_users, replace=False))
        X, y, groups, found = [], [], [], 0
        for batch in np.array_split(np.array(users, dtype=object), max(1, len(users) // 256)):
            chosen, valid, out = self._candidates(src, np.array([src.user_index[user] for user in batch]))
            for r, user in enumerate(batch):
                keep = valid[r]
                label = np.isin(chosen[r][keep], list(new_items[user])).astype(int)
                found += int(label.sum())
                if label.sum():
                    X.append(out["feats"][r][keep])
                    y.append(label)
                    groups.append(int(keep.sum()))
        return X, y, groups, round(found / max(1, sum(len(new_items[u]) for u in users)), 3)

    def _user_facts(self, src: _Sources, users: np.ndarray) -> np.ndarray:
        return np.stack([src.user_events[users], src.user_items[users], src.user_last_age[users], src.user_tenure[users],
                         src.user_price[users]], axis=1)

    def _candidates(self, src: _Sources, users: np.ndarray):
        rows = src.strength[users]
        regions = [src.user_region.get(int(u)) for u in users]
        return _features(src, users, rows, src.recency[users], regions, self._user_facts(src, users), self.config.candidates_per_source)

    # --- serving -----------------------------------------------------------------------------

    def _rank(self, src: _Sources, chosen, valid, out, k: int, history: list[np.ndarray]) -> list[list[Recommendation]]:
        feats = out["feats"]
        n_rows, width, n_feats = feats.shape
        if self.ranker is not None:
            score = self.ranker.predict(feats.reshape(-1, n_feats)).reshape(n_rows, width)
        elif self.order_by in SOURCES:  # the gate found one source better than the ranker
            score = _source_score(feats, self.order_by)
        else:  # too little history to learn a ranker: the sources' best rank
            score = -np.min(feats[..., [FEATURES.index("als_rank"), FEATURES.index("co_bought_rank"), FEATURES.index("content_rank")]], axis=-1)
        score = np.where(valid, score, -np.inf)
        results = []
        for r in range(n_rows):
            order = np.argsort(-score[r], kind="stable")[:k]
            order = order[np.isfinite(score[r][order])]
            results.append([Recommendation(src.items[chosen[r, j]], float(score[r, j]), self._reason(src, chosen[r, j], history[r], feats[r, j]))
                            for j in order])
        return results

    def _reason(self, src: _Sources, item: int, history: np.ndarray, feats: np.ndarray) -> str:
        if len(history):
            sims = np.asarray(src.co_bought[history][:, item].todense()).ravel()
            if sims.max(initial=0) > 0:
                anchor = src.items[history[int(np.argmax(sims))]]
                return f"because you bought {self.titles.get(anchor, anchor)}"
            if src.item_vectors is not None:
                anchor = src.items[history[int(np.argmax(src.item_vectors[history] @ src.item_vectors[item]))]]
                return f"similar to {self.titles.get(anchor, anchor)}"
        if feats[FEATURES.index("trend")] > 1.5:
            return "trending now"
        return "popular with shoppers like you" if feats[FEATURES.index("pop_region")] else "popular"

    def recommend(self, user_ids: list[str], k: int = 10, batch: int = 256) -> dict[str, list[Recommendation]]:
        """Top k new-to-them items for each shopper; a shopper with no history gets what is popular."""
        src = self.sources
        assert src is not None, "fit() first"
        known = [u for u in user_ids if u in src.user_index]
        result: dict[str, list[Recommendation]] = {}
        for start in range(0, len(known), batch):
            part = known[start:start + batch]
            idx = np.array([src.user_index[u] for u in part])
            chosen, valid, out = self._candidates(src, idx)
            history = [src.owned[i].indices for i in idx]
            for user, recs in zip(part, self._rank(src, chosen, valid, out, k, history)):
                result[user] = recs
        unknown = [u for u in user_ids if u not in src.user_index]
        if unknown:
            popular = self.popular(k)
            for user in unknown:
                result[user] = popular
        return result

    def recommend_for_session(self, interactions: list[tuple[str, str]], k: int = 10, region: str | None = None) -> list[Recommendation]:
        """A shopper known only by a few (item_id, event_type) interactions: a new shopper, or one
        who has not signed in. Unknown items are ignored; no interaction at all gives regional popularity."""
        src = self.sources
        assert src is not None, "fit() first"
        seen = [(src.item_index[i], EVENT_WEIGHTS.get(e, 1.0)) for i, e in interactions if i in src.item_index]
        if not seen:
            return self.popular(k, region)
        row = sp.csr_matrix((np.array([w for _, w in seen], dtype=np.float32), ([0] * len(seen), [i for i, _ in seen])),
                            shape=(1, len(src.items)))
        row.sum_duplicates()
        facts = np.array([[len(seen), row.nnz, 0.0, 0.0, np.nan]])
        chosen, valid, out = _features(src, None, row, None, [region], facts, self.config.candidates_per_source)
        return self._rank(src, chosen, valid, out, k, [row.indices])[0]

    def popular(self, k: int = 10, region: str | None = None) -> list[Recommendation]:
        src = self.sources
        pop = src.region_pop.get(region, src.pop_all) if region else src.pop_all
        score = np.log1p(pop) + np.log1p(src.pop_recent)
        order = np.argsort(-score, kind="stable")[:k]
        reason = f"popular in {region}" if region in src.region_pop else "popular"
        return [Recommendation(src.items[i], float(score[i]), reason) for i in order]
