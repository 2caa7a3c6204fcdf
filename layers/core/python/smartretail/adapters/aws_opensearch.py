"""The SearchIndex port on OpenSearch Serverless (a vector search collection): BM25 and k-NN queries
filtered by tenant, fused on the client exactly as the local HybridIndex fuses (min-max normalised
scores, convex weight), because hybrid search pipelines are not available to every collection kind
and region. Documents are written without custom ids and deleted by the ids a search finds:
vector collections may refuse custom ids and have no delete-by-query. Writes become searchable
after the collection's refresh (10-60 s), which the service sets.

The storefront's catalogue is a second index of the same collection, one document per product with
its tenant, the training run that indexed it (`version`), the fields its filters and facets use and
the title's vector. A search is one BM25 query (the words must match, typos within OpenSearch's
fuzziness; character 3-grams, the title as a phrase and the brand add to the score; filters applied
after the facets are counted, so the facets describe what the words matched) and one filtered k-NN
query, fused on the client like the copilot's, plus the products' popularity prior. The in-process
index the local stack uses (smartretail.storefront.search) adds what OpenSearch has no query for:
spelling against the catalogue's own words, title coverage and head-noun signals, and feedback
terms; the benchmarks measure that one."""

from typing import Any

import numpy as np

from ..search.chunks import PLATFORM, Chunk
from ..search.fusion import DENSE_WEIGHT, Embedder, Hit
from ..storefront.catalog import (EMPTY_CATALOGUE, FACET_SIZE, PRICE_BANDS, SYNONYMS, Product, SearchPage, both_ways, expand,
                                  facets, no_match_message, normalise)

CANDIDATES = 50  # from each of BM25 and k-NN, before fusion
CATALOG_WRITE_BATCH = 500  # products per bulk request (and per embedding batch)
RESULT_WINDOW = 10_000  # the most hits one OpenSearch request returns
SHOPPER_WORDS = both_ways(SYNONYMS)
# The catalogue's fusion: BM25 (words, grams, phrase, brand together) and vectors, then popularity's prior.
CATALOG_DENSE_WEIGHT, CATALOG_POPULARITY_WEIGHT = 0.35, 0.05
FIELDS = ("chunk_id", "doc_id", "tenant_id", "doc_type", "source", "section", "upload_date", "confidence")


def mapping(dimensions: int) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {"settings": {"index.knn": True},
            "mappings": {"properties": {
                **{name: keyword for name in ("chunk_id", "doc_id", "tenant_id", "doc_type", "source", "upload_date")},
                "section": {"type": "text", "fields": {"raw": keyword}},
                "confidence": {"type": "float"},
                "text": {"type": "text", "analyzer": "english"},
                # Titan's vectors are unit length: inner product ranks as cosine does, on the faiss engine.
                "vector": {"type": "knn_vector", "dimension": dimensions,
                           "method": {"name": "hnsw", "engine": "faiss", "space_type": "innerproduct"}}}}}


def catalog_mapping(dimensions: int) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    grams = {"type": "ngram", "min_gram": 3, "max_gram": 3, "token_chars": ["letter", "digit"]}
    return {"settings": {"index.knn": True, "analysis": {
                "tokenizer": {"title_grams": grams},
                "analyzer": {"title_grams": {"type": "custom", "tokenizer": "title_grams", "filter": ["lowercase"]}}}},
            "mappings": {"properties": {
                **{name: keyword for name in ("tenant_id", "version", "item_id", "category")},
                "title": {"type": "text", "analyzer": "english", "fields": {"grams": {"type": "text", "analyzer": "title_grams"}}},
                "brand": {"type": "keyword", "fields": {"text": {"type": "text", "analyzer": "english"}}},
                "price": {"type": "float"}, "in_stock": {"type": "boolean"}, "popularity": {"type": "float"},
                "prior": {"type": "float"},  # log popularity over the catalogue's highest, 0..1
                "vector": {"type": "knn_vector", "dimension": dimensions,
                           "method": {"name": "hnsw", "engine": "faiss", "space_type": "innerproduct"}}}}}


def catalog_text(product: Product) -> str:
    """What a product's vector is made from: its title and brand, normalised as queries are."""
    return normalise(" ".join(filter(None, [product.title, product.brand])))


def filter_clauses(filters: dict[str, Any]) -> list[dict[str, Any]]:
    """A storefront search's filters as OpenSearch filter clauses (see catalog.passes)."""
    clauses: list[dict[str, Any]] = []
    for name in ("category", "brand"):
        if filters.get(name):
            clauses.append({"terms": {name: list(filters[name])}})
    if filters.get("in_stock"):
        clauses.append({"term": {"in_stock": True}})
    price = {bound: filters[key] for bound, key in (("gte", "price_min"), ("lte", "price_max")) if filters.get(key) is not None}
    if price:
        clauses.append({"range": {"price": price}})
    return clauses


FACET_AGGREGATIONS = {
    "category": {"terms": {"field": "category", "size": FACET_SIZE}},
    "brand": {"terms": {"field": "brand", "size": FACET_SIZE}},
    "price": {"range": {"field": "price", "ranges": [
        {"key": f"{low}-{'' if high == float('inf') else high}", "from": low, **({} if high == float("inf") else {"to": high})}
        for low, high in PRICE_BANDS]}},
    "in_stock": {"filter": {"term": {"in_stock": True}}},
    "matched": {"filter": {"match_all": {}}},  # what the query matched before the filters (hits.total counts after)
}


def facets_from(aggregations: dict[str, Any]) -> dict[str, Any]:
    """OpenSearch's aggregations in the facets' shape (as CatalogSearch counts them)."""
    return {"category": {b["key"]: b["doc_count"] for b in aggregations["category"]["buckets"]},
            "brand": {b["key"]: b["doc_count"] for b in aggregations["brand"]["buckets"]},
            "price": {b["key"]: b["doc_count"] for b in aggregations["price"]["buckets"] if b["doc_count"]},
            "in_stock": aggregations["in_stock"]["doc_count"]}


def _min_max(scores: dict[str, float]) -> dict[str, float]:
    """Scores onto 0..1 over one list's own hits (a lone hit, or hits all equal, score 1), as
    OpenSearch's normalization processor does."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    return {key: (score - low) / (high - low) if high > low else 1.0 for key, score in scores.items()}


def connect(endpoint: str, region: str) -> Any:
    """An opensearch-py client signing each request with the function's role (SigV4, service aoss)."""
    import boto3
    from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection

    host = endpoint.removeprefix("https://").rstrip("/")
    auth = AWSV4SignerAuth(boto3.Session().get_credentials(), region, "aoss")
    return OpenSearch(hosts=[{"host": host, "port": 443}], http_auth=auth, use_ssl=True, verify_certs=True,
                      connection_class=RequestsHttpConnection, timeout=10, pool_maxsize=10)


class OpenSearchIndex:
    """`client` is an opensearch-py client, or a function making one on first use (a cold start that
    never searches pays nothing for it)."""

    def __init__(self, client: Any, index: str, embedder: Embedder, dimensions: int = 1024, dense_weight: float = DENSE_WEIGHT,
                 catalog_index: str = "catalog"):
        self._connect = client if callable(client) and not hasattr(client, "search") else (lambda: client)
        self._opened: Any = None
        self._index, self._catalog_index, self.embedder = index, catalog_index, embedder
        self._dimensions, self.dense_weight = dimensions, dense_weight
        self._ready: set[str] = set()

    @property
    def _client(self) -> Any:
        if self._opened is None:
            self._opened = self._connect()
        return self._opened

    def _ensure_index(self, catalog: bool = False) -> None:
        index = self._catalog_index if catalog else self._index
        if index not in self._ready:
            if not self._client.indices.exists(index=index):
                self._client.indices.create(index=index, body=(catalog_mapping if catalog else mapping)(self._dimensions))
            self._ready.add(index)

    def upsert(self, chunks: list[Chunk]) -> None:
        self._ensure_index()
        for tenant_id, doc_id in {(c.tenant_id, c.doc_id) for c in chunks}:
            self.delete(tenant_id, doc_id)
        vectors = self.embedder.embed([c.text for c in chunks])
        lines: list[dict[str, Any]] = []
        for chunk, vector in zip(chunks, vectors):
            lines += [{"index": {"_index": self._index}},
                      {**{name: getattr(chunk, name) for name in FIELDS}, "text": chunk.text, "vector": [float(x) for x in vector]}]
        if lines:
            self._bulk(lines)

    def delete(self, tenant_id: str, doc_id: str) -> int:
        self._ensure_index()
        found = self._client.search(index=self._index, body={
            "size": 10_000, "_source": False,
            "query": {"bool": {"filter": [{"term": {"tenant_id": tenant_id}}, {"term": {"doc_id": doc_id}}]}}})
        ids = [hit["_id"] for hit in found["hits"]["hits"]]
        if ids:
            self._bulk([{"delete": {"_index": self._index, "_id": i}} for i in ids])
        return len(ids)

    def _bulk(self, lines: list[dict[str, Any]]) -> None:
        answer = self._client.bulk(body=lines)
        if answer.get("errors"):
            failed = [item for item in answer.get("items", []) for action in item.values() if action.get("status", 200) >= 300]
            raise RuntimeError(f"the search index refused {len(failed)} of {len(answer.get('items', []))} writes: "
                               f"{failed[0] if failed else answer}")

    def search(self, tenant_id: str, query: str, k: int = 5, doc_types: list[str] | None = None) -> list[Hit]:
        if not query.strip():
            return []
        self._ensure_index()
        scope: list[dict[str, Any]] = [{"terms": {"tenant_id": [tenant_id, PLATFORM]}}]
        if doc_types:
            scope.append({"terms": {"doc_type": doc_types}})
        lexical = self._client.search(index=self._index, body={
            "size": CANDIDATES, "_source": {"excludes": ["vector"]},
            "query": {"bool": {"must": [{"match": {"text": query}}], "filter": scope}}})
        vector = [float(x) for x in self.embedder.embed([query])[0]]
        dense = self._client.search(index=self._index, body={
            "size": CANDIDATES, "_source": {"excludes": ["vector"]},
            "query": {"knn": {"vector": {"vector": vector, "k": CANDIDATES, "filter": {"bool": {"filter": scope}}}}}})
        return self._fuse(lexical["hits"]["hits"], dense["hits"]["hits"], tenant_id, k)

    def _fuse(self, lexical: list[dict], dense: list[dict], tenant_id: str, k: int) -> list[Hit]:
        """Each list's scores onto 0..1 over its own hits (a candidate missing from a list scores 0
        there, as OpenSearch's normalization processor does), then the convex combination; a hit
        outside the tenant's scope never passes, whatever the service sent."""
        sources: dict[str, dict[str, Any]] = {}
        for hit in lexical + dense:
            source = hit["_source"]
            if source.get("tenant_id") in (tenant_id, PLATFORM):
                sources.setdefault(source["chunk_id"], source)
        ids = list(sources)
        if not ids:
            return []

        def scores(hits: list[dict]) -> np.ndarray:
            """Min-max over the list's own hits; absent: 0."""
            normed = _min_max({h["_source"]["chunk_id"]: float(h["_score"]) for h in hits if h["_source"]["chunk_id"] in sources})
            return np.array([normed.get(i, 0.0) for i in ids])

        fused = (1 - self.dense_weight) * scores(lexical) + self.dense_weight * scores(dense)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(ids[j], float(fused[j]), sources[ids[j]]["text"], {name: sources[ids[j]].get(name) for name in FIELDS})
                for j in order]

    # --- the storefront's catalogue ------------------------------------------------------------
    def replace_catalog(self, tenant_id: str, products: list[Product], version: str) -> int:
        """Index every product under `version`, then delete the tenant's products of other versions:
        until the collection refreshes, a search may see both, and keeps one hit per product."""
        self._ensure_index(catalog=True)
        top = np.log1p(max((max(0.0, p.popularity) for p in products), default=0.0))
        for start in range(0, len(products), CATALOG_WRITE_BATCH):
            batch = products[start:start + CATALOG_WRITE_BATCH]
            vectors = self.embedder.embed([catalog_text(p) for p in batch])
            lines: list[dict[str, Any]] = []
            for product, vector in zip(batch, vectors):
                prior = float(np.log1p(max(0.0, product.popularity)) / top) if top > 0 else 0.0
                lines += [{"index": {"_index": self._catalog_index}},
                          {**product.record(), "tenant_id": tenant_id, "version": version, "prior": prior,
                           "vector": [float(x) for x in vector]}]
            self._bulk(lines)
        self._delete_other_versions(tenant_id, version)
        return len(products)

    def _delete_other_versions(self, tenant_id: str, version: str) -> int:
        body: dict[str, Any] = {
            "size": RESULT_WINDOW // 2, "_source": False, "sort": [{"item_id": "asc"}, {"version": "asc"}],
            "query": {"bool": {"filter": [{"term": {"tenant_id": tenant_id}}], "must_not": [{"term": {"version": version}}]}}}
        deleted = 0
        while True:
            hits = self._client.search(index=self._catalog_index, body=body)["hits"]["hits"]
            if not hits:
                return deleted
            self._bulk([{"delete": {"_index": self._catalog_index, "_id": hit["_id"]}} for hit in hits])
            deleted += len(hits)
            body["search_after"] = hits[-1]["sort"]

    def search_catalog(self, tenant_id: str, query: str, filters: dict[str, Any] | None = None, page: int = 1,
                       page_size: int = 20) -> SearchPage:
        filters = filters or {}
        self._ensure_index(catalog=True)
        searched = expand(normalise(query), SHOPPER_WORDS)
        tenant, chosen = [{"term": {"tenant_id": tenant_id}}], filter_clauses(filters)
        start = (page - 1) * page_size
        depth = min(start + page_size + CANDIDATES, RESULT_WINDOW)
        if searched:
            lexical = self._client.search(index=self._catalog_index, body={
                "size": depth, "track_total_hits": True, "_source": {"excludes": ["vector"]}, "aggs": FACET_AGGREGATIONS,
                "query": {"bool": {
                    "must": [{"match": {"title": {"query": searched, "fuzziness": "AUTO", "prefix_length": 1}}}],
                    "should": [{"match": {"title.grams": {"query": searched, "boost": 0.5}}},
                               {"match_phrase": {"title": {"query": searched, "slop": 1, "boost": 0.5}}},
                               {"match": {"brand.text": {"query": searched, "boost": 0.5}}}],
                    "filter": tenant}},
                **({"post_filter": {"bool": {"filter": chosen}}} if chosen else {})})
            vector = [float(x) for x in self.embedder.embed([searched])[0]]
            dense = self._client.search(index=self._catalog_index, body={
                "size": depth, "_source": {"excludes": ["vector"]},
                "query": {"knn": {"vector": {"vector": vector, "k": depth, "filter": {"bool": {"filter": tenant + chosen}}}}}})
            words, meaning = lexical["hits"]["hits"], dense["hits"]["hits"]
            matched = lexical["aggregations"]["matched"]["doc_count"] > 0
            if words:
                ranked = self._fused(words, meaning, tenant_id, members=words)
                return SearchPage(query, searched, [p.listing(score) for p, score in ranked[start:start + page_size]],
                                  lexical["hits"]["total"]["value"], page, facets_from(lexical["aggregations"]))
            if not matched and meaning:  # no word of the query matches: the closest in meaning
                ranked = self._fused([], meaning, tenant_id, members=meaning)
                return SearchPage(query, searched, [p.listing(score) for p, score in ranked[start:start + page_size]],
                                  len(ranked), page, facets(p for p, _ in ranked), "close_matches",
                                  no_match_message(query, "close_matches", bool(filters)))
            found = facets_from(lexical["aggregations"]) if matched else None
        else:
            found = None
        for fallback, clauses in (("filters_only", chosen), ("popular", [])):
            if fallback == "filters_only" and not chosen:
                continue
            best = self._client.search(index=self._catalog_index, body={
                "from": start, "size": page_size, "track_total_hits": True,
                "_source": {"excludes": ["vector"]}, "aggs": FACET_AGGREGATIONS,
                "sort": [{"popularity": "desc"}, {"item_id": "asc"}], "query": {"bool": {"filter": tenant + clauses}}})
            total = best["hits"]["total"]["value"]
            if total:
                items = [Product.from_record(h["_source"]).listing(h["_source"].get("prior", 0.0)) for h in best["hits"]["hits"]
                         if h["_source"].get("tenant_id") == tenant_id]
                return SearchPage(query, searched, items, total, page, found or facets_from(best["aggregations"]), fallback,
                                  no_match_message(query, fallback, bool(filters)))
        return SearchPage(query, searched, [], 0, page, found or facets([]), "popular", EMPTY_CATALOGUE)

    def _fused(self, lexical: list[dict], dense: list[dict], tenant_id: str, members: list[dict]) -> list[tuple[Product, float]]:
        """Members ranked by BM25 and k-NN scores (each min-max normalised over its own hits, 0 where
        absent) and the popularity prior; one entry per product, only the tenant's."""
        def normalised(hits: list[dict]) -> dict[str, float]:
            best: dict[str, float] = {}
            for hit in hits:
                if hit["_source"].get("tenant_id") == tenant_id:
                    item = hit["_source"]["item_id"]
                    best[item] = max(best.get(item, float("-inf")), float(hit["_score"]))
            return _min_max(best)

        words, meaning = normalised(lexical), normalised(dense)
        sources = {h["_source"]["item_id"]: h["_source"] for h in members if h["_source"].get("tenant_id") == tenant_id}
        scored = [(Product.from_record(source), (1 - CATALOG_DENSE_WEIGHT) * words.get(item, 0.0)
                   + CATALOG_DENSE_WEIGHT * meaning.get(item, 0.0) + CATALOG_POPULARITY_WEIGHT * float(source.get("prior") or 0.0))
                  for item, source in sources.items()]
        return sorted(scored, key=lambda pair: -pair[1])

