"""The document pipeline's IndexForCopilot step: a processed invoice's fields, reasons and text become
searchable for its own tenant only, through the local adapter that keeps chunks in (emulated) S3 so
the pipeline and the copilot, in different processes, share them."""

import pytest

from smartretail.adapters.local_search import ObjectStoreSearchIndex
from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.auth import Principal
from smartretail.documents.pipeline import DocumentPipeline, PipelineStep
from smartretail.documents.service import DocumentService, UploadDocumentRequest
from smartretail.search.chunks import PLATFORM, chunk_document
from smartretail.search.embedder import WordLlamaEmbedder


def _line(text, top):
    return {"BlockType": "LINE", "Id": text, "Text": text, "Confidence": 99.0, "Page": 1,
            "Geometry": {"BoundingBox": {"Left": 0.1, "Top": top, "Width": 0.5, "Height": 0.01}}}


class Reader:
    """An invoice whose seller GSTIN fails its check digit."""

    def analyze_expense(self, bucket, key, version_id=None):
        lines = ["Kumar Traders", "GSTIN: 29ABCDE1234F1Z6", "Tax Invoice", "Invoice No: INV-0042", "Invoice Date: 12/03/2026",
                 "Rice 10 kg 1 500.00 500.00", "Taxable Value 500.00", "CGST @ 2.5% 12.50", "SGST @ 2.5% 12.50", "Total 525.00"]
        return {"DocumentMetadata": {"Pages": 1}, "ExpenseDocuments": [{
            "SummaryFields": [], "Blocks": [_line(t, 0.05 * (i + 1)) for i, t in enumerate(lines)]}]}


@pytest.fixture(scope="module")
def embedder():
    return WordLlamaEmbedder()


def _process(tenant: str, store: MemoryObjectStore, search: ObjectStoreSearchIndex) -> str:
    documents = DocumentService(store, MemoryItemStore(), "docs", max_bytes=1024, url_ttl_seconds=60)
    pipeline = DocumentPipeline(documents, store, Reader(), "docs", search=search)
    slot = documents.create_upload(Principal(f"u-{tenant}", tenant, frozenset({"sellers"})),
                                   UploadDocumentRequest(doc_type="invoice", file_name="inv-0042.pdf"), None)
    key = slot["upload"]["fields"]["key"]
    read = pipeline.run(PipelineStep.model_validate({"step": "read", "bucket": "docs", "key": key, "object": {"key": key, "version-id": "v1"}}))
    pipeline.run(PipelineStep(step="extract", tenant_id=tenant, doc_id=read["doc_id"]))
    indexed = pipeline.run(PipelineStep(step="index", tenant_id=tenant, doc_id=read["doc_id"]))
    assert indexed["chunks"] >= 1
    return read["doc_id"]


def test_a_processed_invoice_is_found_by_its_own_tenant_with_its_reasons(embedder):
    store = MemoryObjectStore()
    writer = ObjectStoreSearchIndex(store, "docs", lambda: embedder)
    doc_id = _process("t1", store, writer)
    writer.upsert(chunk_document("# Returns\nDamaged goods are refunded.", doc_id="kb/returns", tenant_id=PLATFORM,
                                 doc_type="policy", source="policies/returns.md"))
    reader = ObjectStoreSearchIndex(store, "docs", lambda: embedder)  # the copilot's process
    hits = reader.search("t1", "why was invoice INV-0042 rejected?", k=3, doc_types=["invoice"])
    assert len(hits) == 2 and {h.metadata["doc_id"] for h in hits} == {doc_id} and hits[0].metadata["source"] == "inv-0042.pdf"
    checks = next(h for h in hits if h.metadata["section"].endswith("Fields and checks"))
    assert "status fail" in checks.text and "GSTIN" in checks.text  # the reason the seller asks about
    assert reader.search("t2", "why was invoice INV-0042 rejected?", k=3, doc_types=["invoice"]) == []
    assert reader.search("t2", "damaged goods", k=3)[0].metadata["tenant_id"] == PLATFORM


def test_indexing_again_replaces_and_deleting_empties_what_another_process_sees(embedder):
    store = MemoryObjectStore()
    writer = ObjectStoreSearchIndex(store, "docs", lambda: embedder)
    doc_id = _process("t1", store, writer)
    reader = ObjectStoreSearchIndex(store, "docs", lambda: embedder)
    first = reader.search("t1", "INV-0042", k=10)
    writer.upsert(chunk_document("# Invoice INV-0042\nCorrected by a manager: passed.", doc_id=doc_id, tenant_id="t1",
                                 doc_type="invoice", source="inv-0042.pdf"))
    again = reader.search("t1", "INV-0042", k=10)
    assert first and [h.text for h in again] == ["Invoice INV-0042\nCorrected by a manager: passed."]
    assert writer.delete("t1", doc_id) == 1
    assert reader.search("t1", "INV-0042", k=10) == []
