"""The SearchIndex port locally: each document's chunks kept as one JSON object in (emulated) S3, so
the document pipeline and the copilot, in different processes, share them; each searching process
keeps a HybridIndex in memory and embeds only chunks it has not seen."""

import hashlib
import json
from dataclasses import asdict
from typing import Any, Callable

from ..ports import ObjectStore
from ..search.chunks import PLATFORM, Chunk
from ..search.fusion import Embedder, Hit
from ..search.hybrid import HybridIndex

PREFIX = "search-index"


def _folder(tenant_id: str) -> str:
    return "platform" if tenant_id == PLATFORM else tenant_id


class ObjectStoreSearchIndex:
    def __init__(self, store: ObjectStore, bucket: str, embedder: Callable[[], Embedder]):
        self._store, self._bucket, self._make_embedder = store, bucket, embedder
        self._index: HybridIndex | None = None
        self._seen: dict[str, str] = {}  # object key -> digest of what is indexed in memory

    def _key(self, tenant_id: str, doc_id: str) -> str:
        return f"{PREFIX}/{_folder(tenant_id)}/{hashlib.sha256(doc_id.encode()).hexdigest()[:32]}.json"

    def upsert(self, chunks: list[Chunk]) -> None:
        by_doc: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in chunks:
            by_doc.setdefault((chunk.tenant_id, chunk.doc_id), []).append(chunk)
        for (tenant_id, doc_id), found in by_doc.items():
            body = {"tenant_id": tenant_id, "doc_id": doc_id, "chunks": [asdict(c) for c in found]}
            self._store.put_bytes(self._bucket, self._key(tenant_id, doc_id), json.dumps(body).encode())

    def delete(self, tenant_id: str, doc_id: str) -> int:
        """S3 keeps versions: the document's object is emptied rather than removed."""
        key = self._key(tenant_id, doc_id)
        stored = self._store.read_if_exists(self._bucket, key)
        if stored is None:
            return 0
        count = len(json.loads(stored)["chunks"])
        self._store.put_bytes(self._bucket, key, json.dumps({"tenant_id": tenant_id, "doc_id": doc_id, "chunks": []}).encode())
        return count

    def search(self, tenant_id: str, query: str, k: int = 5, doc_types: list[str] | None = None) -> list[Hit]:
        index = self._refresh([tenant_id, PLATFORM])
        return index.search(tenant_id, query, k, doc_types)

    def _refresh(self, tenants: list[str]) -> HybridIndex:
        """Bring the in-memory index up to date with the stored documents of these tenants."""
        if self._index is None:
            self._index = HybridIndex(self._make_embedder())
        for tenant_id in tenants:
            for key in self._store.keys(self._bucket, f"{PREFIX}/{_folder(tenant_id)}/"):
                stored = self._store.read_if_exists(self._bucket, key)
                if stored is None:
                    continue
                digest = hashlib.sha256(stored).hexdigest()
                if self._seen.get(key) == digest:
                    continue
                body: dict[str, Any] = json.loads(stored)
                self._index.delete(body["tenant_id"], body["doc_id"])
                if body["chunks"]:
                    self._index.upsert([Chunk(**c) for c in body["chunks"]])
                self._seen[key] = digest
        return self._index
