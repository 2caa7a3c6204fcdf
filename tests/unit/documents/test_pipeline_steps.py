"""The document pipeline reads a document once: duplicate events and files posted again after a
result or a manager's review change nothing; a retry of the same event's read goes through."""

import json

import pytest

from smartretail.adapters.aws_clients import unavailable
from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore, aws_error
from smartretail.auth import Principal
from smartretail.documents.pipeline import DocumentPipeline, PipelineStep
from smartretail.documents.service import DocumentService, ReviewRequest, UploadDocumentRequest
from smartretail.errors import ServiceUnavailable

SELLER = Principal("u-seller", "t1", frozenset({"sellers"}))
MANAGER = Principal("u-manager", "t1", frozenset({"managers"}))


class Reader:
    """Textract's answer for any page: a receipt-like expense with a total."""

    def __init__(self):
        self.calls = 0
        self.errors = []
        self.versions = []

    def analyze_expense(self, bucket, key, version_id=None):
        self.calls += 1
        self.versions.append(version_id)
        if self.errors:
            raise self.errors.pop(0)
        return {"DocumentMetadata": {"Pages": 1}, "ExpenseDocuments": [{"SummaryFields": [], "Blocks": []}]}

    analyze_document = analyze_expense


@pytest.fixture
def world():
    documents = DocumentService(MemoryObjectStore(), MemoryItemStore(), "docs", max_bytes=1024, url_ttl_seconds=60)
    reader = Reader()
    pipeline = DocumentPipeline(documents, MemoryObjectStore(), reader, "docs")
    slot = documents.create_upload(SELLER, UploadDocumentRequest(doc_type="invoice", file_name="inv.pdf"), None)
    return documents, pipeline, reader, slot["doc_id"], slot["upload"]["fields"]["key"]


def event(key, version):
    return PipelineStep.model_validate({"step": "read", "bucket": "docs", "key": key, "object": {"key": key, "version-id": version}})


def process(pipeline, key, version):
    read = pipeline.run(event(key, version))
    if read["skipped"]:
        return read
    return pipeline.run(PipelineStep(step="extract", tenant_id=read["tenant_id"], doc_id=read["doc_id"]))


def test_a_duplicate_event_for_a_read_document_is_skipped_and_the_result_stands(world):
    documents, pipeline, reader, doc_id, key = world
    first = process(pipeline, key, "v1")
    before = documents.get("t1", doc_id)
    again = process(pipeline, key, "v1")
    assert again["skipped"].startswith(f"document {doc_id} was read already ({first['status']})")
    assert documents.get("t1", doc_id) == before
    assert reader.calls == 1


def test_the_file_posted_again_after_a_review_does_not_undo_the_review(world):
    documents, pipeline, _, doc_id, key = world
    process(pipeline, key, "v1")
    documents.review(MANAGER, doc_id, ReviewRequest(resolution="fail", note="stamp missing"))
    skipped = process(pipeline, key, "v2")  # the seller posted the file again within the URL's lifetime
    assert skipped["skipped"]
    record = documents.get("t1", doc_id)
    assert record["status"] == "reviewed_fail"
    assert record["reviewed_by"] == "u-manager"


def test_a_retry_of_the_same_events_read_goes_through(world):
    documents, pipeline, reader, doc_id, key = world
    reader.errors.append(unavailable("Textract", aws_error("ThrottlingException", "AnalyzeExpense")))
    with pytest.raises(ServiceUnavailable):  # the state machine retries the step by this error's name
        pipeline.run(event(key, "v1"))
    assert documents.get("t1", doc_id)["status"] == "processing"
    read = pipeline.run(event(key, "v1"))
    assert read["skipped"] is None
    assert read["doc_id"] == doc_id


def test_a_second_upload_while_the_first_is_read_is_skipped(world):
    _, pipeline, _, doc_id, key = world
    pipeline.run(event(key, "v1"))
    assert pipeline.run(event(key, "v2"))["skipped"] == f"document {doc_id} is being read from another upload of the file; this one is ignored"


def test_a_late_failure_never_overwrites_a_result(world):
    documents, pipeline, _, doc_id, key = world
    process(pipeline, key, "v1")
    status = documents.get("t1", doc_id)["status"]
    answer = pipeline.run(PipelineStep(step="unreadable", key=key, error="Lambda.Unknown", cause="boom"))
    assert answer["status"] == status
    assert documents.get("t1", doc_id)["status"] == status


def test_a_claim_left_by_an_execution_that_died_is_taken_over(world):
    documents, pipeline, _, doc_id, key = world
    pipeline.run(event(key, "v1"))  # claimed; then the execution timed out without a word
    record = documents.record("t1", doc_id)
    documents._items.put("t1", "doc#" + doc_id, {**{k: v for k, v in record.items() if k not in ("item_key", "version")},
                                                 "updated_at": "2026-01-01T00:00:00+00:00"}, if_version=record["version"])
    assert pipeline.run(event(key, "v2"))["skipped"] is None


def test_a_failure_of_one_upload_does_not_mark_a_document_another_upload_is_reading(world):
    documents, pipeline, _, doc_id, key = world
    pipeline.run(event(key, "v1"))
    answer = pipeline.run(PipelineStep.model_validate({"step": "unreadable", "key": key, "object": {"version-id": "v2"},
                                                      "error": "Lambda.Unknown", "cause": "boom"}))
    assert answer["status"] == "processing"
    assert documents.get("t1", doc_id)["status"] == "processing"


def test_textract_throttling_past_the_retries_ends_in_needs_review_and_keeps_the_file(world):
    documents, pipeline, reader, doc_id, key = world
    store = pipeline._store
    store.put_bytes("docs", key, b"%PDF-1.4 the seller's invoice")
    uploaded = store.objects[("docs", key)]
    throttled = unavailable("Textract", aws_error("ThrottlingException", "AnalyzeExpense"))
    reader.errors.append(throttled)
    with pytest.raises(ServiceUnavailable) as raised:
        pipeline.run(event(key, "v1"))
    # the state machine retries by this name; when its attempts run out its Catch sends the error here
    cause = json.dumps({"errorType": "ServiceUnavailable", "errorMessage": str(raised.value)})
    answer = pipeline.run(PipelineStep.model_validate({"step": "unreadable", "key": key, "object": {"version-id": "v1"},
                                                      "error": "ServiceUnavailable", "cause": cause}))
    assert answer["status"] == "needs_review"
    assert "Textract is throttling" in answer["reasons"][0] and "the file is kept" in answer["reasons"][0]
    assert documents.get("t1", doc_id)["status"] == "needs_review"
    assert store.objects[("docs", key)] == uploaded


def test_the_version_the_event_claimed_is_the_one_read_even_when_the_file_was_posted_again(world):
    _, pipeline, reader, _, key = world
    pipeline.run(event(key, "v1"))  # meanwhile v2 arrived: its event is skipped, and v1 is what Textract reads
    assert reader.versions == ["v1"]
