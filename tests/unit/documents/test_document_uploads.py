"""Upload slots for documents: an Idempotency-Key replayed before the file lands gets the same slot;
replayed after, it gets the document as it is and no way to replace the file."""

from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.auth import Principal
from smartretail.documents.service import DocumentService, UploadDocumentRequest

SELLER = Principal("u-1", "t1", frozenset({"sellers"}))


def service():
    return DocumentService(MemoryObjectStore(), MemoryItemStore(), "docs", max_bytes=1024, url_ttl_seconds=60)


def test_a_replay_before_the_upload_gets_the_same_slot():
    documents = service()
    request = UploadDocumentRequest(doc_type="invoice", file_name="inv-42.pdf")
    first = documents.create_upload(SELLER, request, "key-1")
    again = documents.create_upload(SELLER, request, "key-1")
    assert again["doc_id"] == first["doc_id"]
    assert again["upload"]["fields"]["key"] == first["upload"]["fields"]["key"]


def test_a_replay_after_the_file_landed_answers_the_document_without_a_new_upload_url():
    documents = service()
    request = UploadDocumentRequest(doc_type="invoice", file_name="inv-42.pdf")
    first = documents.create_upload(SELLER, request, "key-1")
    _, record = documents.record_for_key(first["upload"]["fields"]["key"])
    documents.mark("t1", record, status="processing")  # the pipeline picked the file up
    again = documents.create_upload(SELLER, request, "key-1")
    assert again["doc_id"] == first["doc_id"]
    assert again["status"] == "processing"
    assert again["upload"] is None
    assert "new Idempotency-Key" in again["message"]


def test_a_landed_document_gets_a_short_lived_link_for_its_own_tenant_only():
    import pytest

    from smartretail.errors import Conflict, NotFound

    documents = service()
    slot = documents.create_upload(SELLER, UploadDocumentRequest(doc_type="invoice", file_name="inv 42.pdf"), None)
    with pytest.raises(Conflict):  # nothing to show before the file lands
        documents.file("t1", slot["doc_id"])
    _, record = documents.record_for_key(slot["upload"]["fields"]["key"])
    documents.mark("t1", record, status="processing")
    link = documents.file("t1", slot["doc_id"])
    assert link["url"] == f"memory://docs/{slot['upload']['fields']['key']}?expires_in=300"
    assert link["content_type"] == "application/pdf" and link["expires_in_seconds"] == 300
    with pytest.raises(NotFound):
        documents.file("t2", slot["doc_id"])
