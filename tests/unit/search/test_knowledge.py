"""The knowledge base reads policies published as PDFs as it reads Markdown: each heading a section
a citation names, visible to every tenant."""

from pathlib import Path

from smartretail.search.chunks import PLATFORM
from smartretail.search.embedder import WordLlamaEmbedder
from smartretail.search.hybrid import HybridIndex
from smartretail.search.knowledge import knowledge_chunks

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


def test_a_pdf_policy_is_cut_at_its_headings_and_found_by_any_tenant():
    chunks = knowledge_chunks(KNOWLEDGE)
    fees = [c for c in chunks if c.source == "policies/fees-and-payouts.pdf"]
    assert [c.section for c in fees][:3] == ["Fees and payouts > Effective date", "Fees and payouts > Commission",
                                            "Fees and payouts > Fixed closing fee"]
    assert all(c.tenant_id == PLATFORM and c.doc_type == "policy" for c in fees)
    index = HybridIndex(WordLlamaEmbedder())
    index.upsert(chunks)
    (hit,) = index.search("tenant-x", "how often are payouts paid to sellers?", k=1)
    assert hit.metadata["section"] == "Fees and payouts > Payout schedule" and "every 7 days" in hit.text
