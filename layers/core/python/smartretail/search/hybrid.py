"""The local search index: BM25 (bm25s, English stemming and stop words) and dense vectors in one
process, fused by a convex combination of each query's min-max normalised scores. Reciprocal-rank
fusion was measured and lost to BM25 alone on SciFact (benchmarks/retrieval_scifact); the weight is
the one tuned there on the train queries. Every search is filtered to the caller's tenant and the
platform's policies, optionally to document types, before anything is ranked."""

from functools import lru_cache
from typing import Any

import numpy as np

from .chunks import PLATFORM, Chunk
from .fusion import DENSE_WEIGHT, Embedder, Hit, fuse

__all__ = ["DENSE_WEIGHT", "Embedder", "Hit", "HybridIndex"]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def _tokenize(texts: list[str], return_ids: bool = True) -> Any:
    """Texts as BM25 reads them: English stop words out, the rest stemmed."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=return_ids, show_progress=False)


def query_words(query: str) -> list[str]:
    """A query as the words BM25 scores."""
    return _tokenize([query], return_ids=False)[0]


class HybridIndex:
    def __init__(self, embedder: Embedder, dense_weight: float = DENSE_WEIGHT):
        self.embedder, self.dense_weight = embedder, dense_weight
        self._chunks: dict[str, Chunk] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._built: tuple[list[str], Any, np.ndarray] | None = None  # ids, BM25 model, vectors: rebuilt after a change

    def upsert(self, chunks: list[Chunk]) -> None:
        """Index a document's chunks, replacing whatever that document had before."""
        for doc in {(c.tenant_id, c.doc_id) for c in chunks}:
            self.delete(*doc)
        vectors = self.embedder.embed([c.text for c in chunks])
        for chunk, vector in zip(chunks, vectors):
            self._chunks[chunk.chunk_id], self._vectors[chunk.chunk_id] = chunk, vector
        self._built = None

    def delete(self, tenant_id: str, doc_id: str) -> int:
        gone = [cid for cid, c in self._chunks.items() if c.tenant_id == tenant_id and c.doc_id == doc_id]
        for cid in gone:
            del self._chunks[cid], self._vectors[cid]
        if gone:
            self._built = None
        return len(gone)

    def _build(self) -> tuple[list[str], Any, np.ndarray]:
        if self._built is None:
            import bm25s

            ids = list(self._chunks)
            model = bm25s.BM25()
            if ids:
                model.index(_tokenize([self._chunks[i].text for i in ids]), show_progress=False)
            vectors = np.stack([self._vectors[i] for i in ids]) if ids else np.zeros((0, 1), dtype=np.float32)
            self._built = (ids, model, vectors)
        return self._built

    def search(self, tenant_id: str, query: str, k: int = 5, doc_types: list[str] | None = None) -> list[Hit]:
        """The k best chunks the tenant may see (its own and the platform's), best first."""
        ids, model, vectors = self._build()
        visible = np.array([self._chunks[i].tenant_id in (tenant_id, PLATFORM) and
                            (not doc_types or self._chunks[i].doc_type in doc_types) for i in ids], dtype=bool)
        if not visible.any() or not query.strip():
            return []
        words = query_words(query)  # nothing left of a query of stop words: the vectors alone rank
        lexical = np.asarray(model.get_scores(words), dtype=np.float64) if words else np.zeros(len(ids))
        dense = vectors @ self.embedder.embed([query])[0]
        fused = fuse(lexical[visible], dense[visible], self.dense_weight)
        chosen = np.flatnonzero(visible)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(ids[chosen[j]], float(fused[j]), self._chunks[ids[chosen[j]]].text, self._chunks[ids[chosen[j]]].metadata())
                for j in order]

