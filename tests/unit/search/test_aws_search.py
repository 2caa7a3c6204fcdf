"""The search port on AWS: OpenSearch Serverless through opensearch-py and Titan embeddings through
Bedrock, against fakes that answer as those services do (a vector collection that assigns its own ids
and has no delete-by-query; Bedrock's invoke_model body). What is checked: the index mapping, every
query scoped to the tenant and the platform, writes without custom ids, replacement by delete-then-
index, the fusion, and refused writes surfacing as errors."""

import io
import json
import zlib

import numpy as np
import pytest

from smartretail.adapters.aws_bedrock import TitanEmbedder
from smartretail.adapters.aws_opensearch import OpenSearchIndex, mapping
from smartretail.search.chunks import PLATFORM, chunk_document


class FakeBedrock:
    def __init__(self):
        self.calls = []

    def invoke_model(self, modelId, body, contentType, accept):
        request = json.loads(body)
        self.calls.append((modelId, request))
        words = request["inputText"].lower().split()
        vector = np.array([sum(zlib.crc32(w.encode()) % 7 == d for w in words) for d in range(request["dimensions"])], dtype=float) + 1e-3
        return {"body": io.BytesIO(json.dumps({"embedding": list(vector / np.linalg.norm(vector)), "inputTextTokenCount": len(words)}).encode())}


class FakeCollection:
    """A vector collection: ids are its own, bulk answers per item, search honours term(s) filters."""

    def __init__(self):
        self.docs, self.requests, self.next_id, self.refuse = {}, [], 0, False
        outer = self

        class Indices:
            def exists(self, index):
                return index in outer.created

            def create(self, index, body):
                outer.created[index] = body

        self.created, self.indices = {}, Indices()

    def bulk(self, body):
        items = []
        for action, source in zip(body, body[1:] + [None]):
            if "index" in action:
                assert "_id" not in action["index"]  # vector collections may refuse custom ids
                if self.refuse:
                    items.append({"index": {"status": 400, "error": {"type": "mapper_parsing_exception"}}})
                    continue
                self.next_id += 1
                self.docs[f"id{self.next_id}"] = source
                items.append({"index": {"status": 201}})
            elif "delete" in action:
                self.docs.pop(action["delete"]["_id"], None)
                items.append({"delete": {"status": 200}})
        return {"errors": any(i[next(iter(i))]["status"] >= 300 for i in items), "items": items}

    def _passes(self, source, filters):
        for f in filters:
            (kind, cond), = f.items()
            (field, value), = cond.items()
            if (kind == "term" and source[field] != value) or (kind == "terms" and source[field] not in value):
                return False
        return True

    def search(self, index, body):
        self.requests.append(body)
        query = body["query"]
        if "knn" in query:
            spec = query["knn"]["vector"]
            scope = spec["filter"]["bool"]["filter"]
            scored = [(i, float(np.dot(s["vector"], spec["vector"]))) for i, s in self.docs.items() if self._passes(s, scope)]
        else:
            scope = query["bool"]["filter"]
            words = set(query["bool"]["must"][0]["match"]["text"].lower().split()) if query["bool"].get("must") else set()
            scored = [(i, float(len(words & set(s["text"].lower().split())) or (0 if words else 1)))
                      for i, s in self.docs.items() if self._passes(s, scope)]
            scored = [(i, sc) for i, sc in scored if sc > 0]
        scored.sort(key=lambda t: -t[1])
        hits = [{"_id": i, "_score": sc, "_source": {k: v for k, v in self.docs[i].items() if k != "vector"}}
                for i, sc in scored[: body["size"]]]
        return {"hits": {"hits": hits}}


@pytest.fixture
def index():
    return OpenSearchIndex(FakeCollection(), "smartretail-copilot", TitanEmbedder(client=FakeBedrock(), dimensions=16), dimensions=16)


def _doc(text, doc_id, tenant, doc_type="invoice"):
    return chunk_document(text, doc_id=doc_id, tenant_id=tenant, doc_type=doc_type, source=f"{doc_id}.pdf")


def test_the_index_is_created_once_with_a_knn_mapping_and_titan_is_asked_for_normalised_vectors(index):
    index.upsert(_doc("# Invoice INV-0042\nrejected gstin check digit", "inv-42", "t1"))
    assert index._client.created == {"smartretail-copilot": mapping(16)}
    vector = mapping(1024)["mappings"]["properties"]["vector"]
    assert vector["dimension"] == 1024 and vector["method"]["engine"] == "faiss" and mapping(1024)["settings"]["index.knn"]
    model, request = index.embedder._client.calls[0]
    assert model == "amazon.titan-embed-text-v2:0" and request["normalize"] is True and request["dimensions"] == 16


def test_every_query_is_scoped_to_the_tenant_and_the_platform_and_fused(index):
    index.upsert(_doc("# Invoice INV-0042\nrejected gstin check digit", "inv-42", "t1"))
    index.upsert(_doc("# Invoice INV-0042\nrejected gstin check digit of tenant two", "inv-42", "t2"))
    index.upsert(_doc("# Returns\ndamaged goods refunded in full", "kb/returns", PLATFORM, "policy"))
    hits = index.search("t1", "why was invoice INV-0042 rejected", k=5)
    assert {h.metadata["tenant_id"] for h in hits} == {"t1", PLATFORM}
    assert hits[0].metadata["doc_id"] == "inv-42" and hits[0].metadata["section"] == "Invoice INV-0042"
    for request in index._client.requests[-2:]:
        text = json.dumps(request)
        assert '"tenant_id": ["t1", "*"]' in text
    assert index.search("t1", "damaged goods", k=5, doc_types=["policy"])[0].metadata["source"] == "kb/returns.pdf"


def test_indexing_a_document_again_replaces_it_and_delete_removes_it_without_delete_by_query(index):
    index.upsert(_doc("# Invoice INV-0042\nfirst reading", "inv-42", "t1"))
    index.upsert(_doc("# Invoice INV-0042\ncorrected by a manager", "inv-42", "t1"))
    assert [s["text"] for s in index._client.docs.values()] == ["Invoice INV-0042\ncorrected by a manager"]
    assert index.delete("t1", "inv-42") == 1 and index._client.docs == {}


def test_a_refused_write_is_an_error_not_a_silent_loss(index):
    index._client.refuse = True
    with pytest.raises(RuntimeError, match="refused 1 of 1 writes"):
        index.upsert(_doc("# Invoice INV-0042\ntext", "inv-42", "t1"))


def test_a_hit_outside_the_tenant_never_passes_even_if_the_service_returned_it(index):
    leaked = {"_id": "x", "_score": 9.0, "_source": {"chunk_id": "c", "doc_id": "d", "tenant_id": "t2", "doc_type": "invoice",
                                                      "source": "s", "section": "", "upload_date": "", "confidence": 1.0, "text": "t"}}
    assert index._fuse([leaked], [leaked], "t1", 5) == []


def test_a_lone_lexical_match_keeps_its_weight_in_the_fusion(index):
    only = {"_id": "a", "_score": 3.0, "_source": {"chunk_id": "a", "doc_id": "d1", "tenant_id": "t1", "text": "x"}}
    other = {"_id": "b", "_score": 0.9, "_source": {"chunk_id": "b", "doc_id": "d2", "tenant_id": "t1", "text": "y"}}
    near = {**only, "_score": 0.5}
    hits = index._fuse([only], [other, near], "t1", 2)  # BM25 found only 'a'; k-NN ranks 'b' above it
    assert [h.chunk_id for h in hits] == ["a", "b"]  # 0.65 x 1 beats 0.35 x 1
