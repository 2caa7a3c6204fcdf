"""The SearchIndex port on OpenSearch Serverless (a vector search collection): BM25 and k-NN queries
filtered by tenant, fused on the client exactly as the local HybridIndex fuses (min-max normalised
scores, convex weight), because hybrid search pipelines are not available to every collection kind
and region. Documents are written without custom ids and deleted by the ids a search finds:
vector collections may refuse custom ids and have no delete-by-query. Writes become searchable
after the collection's refresh (10-60 s), which the service sets."""

from typing import Any

import numpy as np

from ..search.chunks import PLATFORM, Chunk
from ..search.fusion import DENSE_WEIGHT, Embedder, Hit

CANDIDATES = 50  # from each of BM25 and k-NN, before fusion
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

    def __init__(self, client: Any, index: str, embedder: Embedder, dimensions: int = 1024, dense_weight: float = DENSE_WEIGHT):
        self._connect = client if callable(client) and not hasattr(client, "search") else (lambda: client)
        self._opened: Any = None
        self._index, self.embedder = index, embedder
        self._dimensions, self.dense_weight = dimensions, dense_weight
        self._ready = False

    @property
    def _client(self) -> Any:
        if self._opened is None:
            self._opened = self._connect()
        return self._opened

    def _ensure_index(self) -> None:
        if not self._ready:
            if not self._client.indices.exists(index=self._index):
                self._client.indices.create(index=self._index, body=mapping(self._dimensions))
            self._ready = True

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
            """Min-max over the list's own hits (a lone hit, or hits all equal, score 1); absent: 0."""
            by_id = {h["_source"]["chunk_id"]: float(h["_score"]) for h in hits if h["_source"]["chunk_id"] in sources}
            if not by_id:
                return np.zeros(len(ids))
            low, high = min(by_id.values()), max(by_id.values())
            return np.array([(by_id[i] - low) / (high - low) if i in by_id and high > low else float(i in by_id) for i in ids])

        fused = (1 - self.dense_weight) * scores(lexical) + self.dense_weight * scores(dense)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(ids[j], float(fused[j]), sources[ids[j]]["text"], {name: sources[ids[j]].get(name) for name in FIELDS})
                for j in order]
