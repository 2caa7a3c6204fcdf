"""The SearchIndex port locally: each document's chunks kept as one JSON object in (emulated) S3, so
the document pipeline and the copilot, in different processes, share them; each searching process
keeps a HybridIndex in memory and embeds only chunks it has not seen. A tenant's catalogue is one
gzipped JSON object beside a small pointer naming its version: the storefront's loader writes both,
and each searching process builds the catalogue's CatalogSearch when the pointer names a version it
has not built (looked at no more than once per CATALOG_CHECK_SECONDS)."""

import gzip
import hashlib
import json
from dataclasses import asdict
from typing import Any, Callable

from ..memo import Recent
from ..ports import ObjectStore
from ..search.chunks import PLATFORM, Chunk
from ..search.fusion import Embedder, Hit
from ..search.hybrid import HybridIndex
from ..storefront.catalog import Product, SearchPage

PREFIX = "search-index"
CATALOG_CHECK_SECONDS = 5


def _folder(tenant_id: str) -> str:
    return "platform" if tenant_id == PLATFORM else tenant_id


class ObjectStoreSearchIndex:
    def __init__(self, store: ObjectStore, bucket: str, embedder: Callable[[], Embedder],
                 catalog_check_seconds: float = CATALOG_CHECK_SECONDS):
        self._store, self._bucket, self._make_embedder = store, bucket, embedder
        self._index: HybridIndex | None = None
        self._seen: dict[str, str] = {}  # object key -> digest of what is indexed in memory
        self._embedder: Embedder | None = None
        self._catalogs: dict[str, tuple[str, Any]] = {}  # tenant -> (version, its CatalogSearch)
        self._live = Recent(catalog_check_seconds)

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
            self._index = HybridIndex(self._embedding())
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

    def _embedding(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._make_embedder()
        return self._embedder

    def _catalog_key(self, tenant_id: str, name: str) -> str:
        return f"{PREFIX}/catalog/{_folder(tenant_id)}/{name}"

    def replace_catalog(self, tenant_id: str, products: list[Product], version: str) -> int:
        body = {"tenant_id": tenant_id, "version": version, "products": [p.record() for p in products]}
        self._store.put_bytes(self._bucket, self._catalog_key(tenant_id, "products.json.gz"),
                              gzip.compress(json.dumps(body, separators=(",", ":")).encode()), "application/gzip")
        self._store.put_bytes(self._bucket, self._catalog_key(tenant_id, "live.json"), json.dumps({"version": version}).encode())
        self._live.forget(tenant_id)
        return len(products)

    def search_catalog(self, tenant_id: str, query: str, filters: dict[str, Any] | None = None, page: int = 1,
                       page_size: int = 20) -> SearchPage:
        return self._catalog(tenant_id).search(query, filters, page, page_size)

    def _catalog(self, tenant_id: str) -> Any:
        """The tenant's catalogue as a CatalogSearch, built again only when a new version is live."""
        from ..storefront.search import CatalogSearch

        def live_version() -> str:
            stored = self._store.read_if_exists(self._bucket, self._catalog_key(tenant_id, "live.json"))
            return json.loads(stored)["version"] if stored else ""

        version = self._live.get(tenant_id, live_version)
        built = self._catalogs.get(tenant_id)
        if built and built[0] == version:
            return built[1]
        stored = self._store.read_if_exists(self._bucket, self._catalog_key(tenant_id, "products.json.gz")) if version else None
        body = json.loads(gzip.decompress(stored)) if stored else {"version": version, "products": []}
        search = CatalogSearch([Product.from_record(r) for r in body["products"]], embedder=self._embedding())
        self._catalogs[tenant_id] = (body["version"], search)
        return search
