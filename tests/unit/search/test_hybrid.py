"""The copilot's local search: section-aware chunks, hybrid ranking, and a tenant never seeing another
tenant's chunks (the platform's policies are visible to all)."""

import pytest

from smartretail.search.chunks import MAX_TOKENS, OVERLAP_TOKENS, PLATFORM, chunk_document
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.search.hybrid import HybridIndex

POLICY = """# Returns policy
Buyers may return items within 30 days of delivery.

## Damaged goods
Items that arrive damaged are refunded in full when the buyer sends a photo within 48 hours.
The seller pays the return shipping for damaged goods.

## Prohibited items
Weapons, counterfeit goods and expired food may not be listed.
"""


@pytest.fixture(scope="module")
def embedder():
    return WordLlamaEmbedder()


def _index(embedder) -> HybridIndex:
    index = HybridIndex(embedder)
    index.upsert(chunk_document(POLICY, doc_id="policy-returns", tenant_id=PLATFORM, doc_type="policy", source="returns.md"))
    index.upsert(chunk_document("# Invoice INV-0042\nRejected: the seller's GSTIN fails its check digit.", doc_id="inv-42",
                                tenant_id="tenant-a", doc_type="invoice", source="uploads/inv-42.pdf"))
    index.upsert(chunk_document("# Invoice INV-0042\nPassed every rule. Damaged goods clause attached.", doc_id="inv-42",
                                tenant_id="tenant-b", doc_type="invoice", source="uploads/b/inv-42.pdf"))
    return index


def test_chunks_follow_sections_and_overlap_when_a_section_is_long():
    chunks = chunk_document(POLICY, doc_id="d", tenant_id=PLATFORM, doc_type="policy", source="returns.md")
    assert [c.section for c in chunks] == ["Returns policy", "Returns policy > Damaged goods", "Returns policy > Prohibited items"]
    assert chunks[1].text.startswith("Returns policy > Damaged goods\nItems that arrive damaged")
    words = [f"w{i}" for i in range(1500)]
    long = chunk_document("# Long\n" + " ".join(words), doc_id="l", tenant_id="t", doc_type="sop", source="l.md")
    assert all(len(c.text.split()) <= MAX_TOKENS + 1 for c in long) and len(long) >= 3
    first, second = long[0].text.split()[1:], long[1].text.split()[1:]
    assert first[-OVERLAP_TOKENS:] == second[:OVERLAP_TOKENS]  # a passage across the cut is whole in one chunk
    assert chunk_document(POLICY, doc_id="d", tenant_id=PLATFORM, doc_type="policy", source="x")[0].chunk_id == chunks[0].chunk_id


def test_the_best_passage_comes_first_with_its_metadata(embedder):
    hits = _index(embedder).search("tenant-a", "what happens when goods arrive damaged?", k=2)
    assert hits[0].metadata["section"] == "Returns policy > Damaged goods"
    assert hits[0].metadata | {"chunk_id": None} == {"chunk_id": None, "doc_id": "policy-returns", "tenant_id": PLATFORM,
                                                     "doc_type": "policy", "source": "returns.md",
                                                     "section": "Returns policy > Damaged goods", "upload_date": "", "confidence": 1.0}


def test_a_tenant_sees_its_own_documents_and_the_platforms_never_another_tenants(embedder):
    index = _index(embedder)
    for tenant, other in (("tenant-a", "tenant-b"), ("tenant-b", "tenant-a")):
        hits = index.search(tenant, "invoice INV-0042 rejected damaged goods", k=10)
        assert {h.metadata["tenant_id"] for h in hits} <= {tenant, PLATFORM}
        assert any(h.metadata["tenant_id"] == tenant for h in hits)
    assert index.search("tenant-c", "invoice INV-0042", k=10, doc_types=["invoice"]) == []


def test_reindexing_replaces_a_documents_chunks_and_deleting_removes_them(embedder):
    index = _index(embedder)
    index.upsert(chunk_document("# Invoice INV-0042\nCorrected and passed.", doc_id="inv-42", tenant_id="tenant-a",
                                doc_type="invoice", source="uploads/inv-42.pdf"))
    texts = [h.text for h in index.search("tenant-a", "INV-0042", k=10, doc_types=["invoice"])]
    assert texts == ["Invoice INV-0042\nCorrected and passed."]
    assert index.delete("tenant-a", "inv-42") == 1
    assert index.search("tenant-a", "INV-0042", k=10, doc_types=["invoice"]) == []
    assert index.search("tenant-b", "INV-0042", k=10, doc_types=["invoice"])  # the other tenant's document is untouched


def test_the_knowledge_base_is_every_policy_and_sop_visible_to_all_tenants(embedder):
    from pathlib import Path

    from smartretail.search.knowledge import knowledge_chunks

    chunks = knowledge_chunks(Path(__file__).resolve().parents[3] / "knowledge")
    assert {c.doc_type for c in chunks} == {"policy", "sop"} and {c.tenant_id for c in chunks} == {PLATFORM}
    assert "policies/returns-and-damaged-goods.md" in {c.source for c in chunks}
    index = HybridIndex(embedder)
    index.upsert(chunks)
    hit = index.search("any-tenant", "who pays return shipping when an item arrives broken?", k=1, doc_types=["policy"])[0]
    assert (hit.metadata["source"], hit.metadata["section"]) == ("policies/returns-and-damaged-goods.md",
                                                                 "Returns and damaged goods policy > Damaged goods")


def test_a_query_of_stop_words_or_unknown_words_is_answered_not_an_error(embedder):
    index = _index(embedder)
    for query in ("the and of", "zzzz qqqq", "???"):
        assert all(h.metadata["tenant_id"] in ("tenant-a", PLATFORM) for h in index.search("tenant-a", query, k=3))
