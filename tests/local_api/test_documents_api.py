"""Documents through the local stack: a presigned upload, the S3 event, the document pipeline's
definition run with the template's processor function (PaddleOCR and pdfplumber for Textract), the
result through the API; bad files; review; tenant isolation."""

import time

import pytest

from sfn_helpers import run_machine, s3_event

from local_stack.stack import http_json, post_file
from local_stack.template import ROOT
from smartretail.documents.generator import documents, multi_page_pdf, render_pdf, scan, truth

TENANT = "tenant-a"  # the conftest users' tenant


@pytest.fixture(scope="module")
def corpus():
    return [(doc, render_pdf(doc), truth(doc)) for doc in documents(seed=5)]


def upload(local, who, doc_type, file_name, content, content_type, key=None):
    headers = {"Idempotency-Key": key} if key else None
    status, slot = http_json("POST", f"{local.api_url}/upload-document", local.users.token(who),
                             {"doc_type": doc_type, "file_name": file_name}, headers)
    assert status == 201, slot
    return slot, post_file(slot["upload"], file_name, content, content_type)


def wait(local, doc_id, who="seller", seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = http_json("GET", f"{local.api_url}/documents/{doc_id}", local.users.token(who))
        assert status == 200, body
        if body["status"] not in ("awaiting_upload", "processing"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"document {doc_id} still {body['status']} after {seconds} s")


def failed_rules(body):
    return sorted(r["rule"] for r in body["rules"] if not r["passed"])


def test_every_generated_document_ends_with_the_right_status_and_reasons(local, corpus):
    slots = []
    for doc, pdf, facts in corpus:  # in order: the duplicate invoice comes after its original
        slot, stored = upload(local, "seller", facts["doc_type"], f"{doc.name}.pdf", pdf, "application/pdf")
        assert stored in (200, 204)
        slots.append((doc, facts, slot["doc_id"]))
        wait(local, slot["doc_id"])
    for doc, facts, doc_id in slots:
        body = wait(local, doc_id)
        assert (body["status"], failed_rules(body)) == (facts["expected_status"], sorted(facts["expected_failures"])), \
            (doc.name, body["reasons"])
        assert body["rule_version"].startswith(facts["doc_type"])
        assert all(body["reasons"])
        assert (body["status"] == "pass") == (not body["reasons"])
        for name, found in body["fields"].items():
            assert 0 <= found["confidence"] <= 1
            assert "page" in found


def test_a_processed_document_is_searchable_by_its_tenant_only_for_the_copilot(local, corpus):
    from smartretail.adapters.aws_s3 import S3ObjectStore
    from smartretail.adapters.local_search import ObjectStoreSearchIndex
    from smartretail.search.embedder import WordLlamaEmbedder

    doc, pdf, facts = next(c for c in corpus if c[0].broken == "totals_mismatch")
    slot, _ = upload(local, "seller", "invoice", f"{doc.name}-search.pdf", pdf, "application/pdf")
    body = wait(local, slot["doc_id"])
    bucket = local.function_env("DocumentsProcessor")["DOCUMENTS_BUCKET"]
    search = ObjectStoreSearchIndex(S3ObjectStore(), bucket, WordLlamaEmbedder)  # what the copilot's process reads
    hits = search.search(TENANT, f"why did invoice {facts['fields']['invoice_number']} fail?", k=3, doc_types=["invoice"])
    assert hits and hits[0].metadata["doc_id"] == slot["doc_id"] and hits[0].metadata["source"] == f"{doc.name}-search.pdf"
    assert any(body["reasons"][0] in h.text for h in hits)
    assert not [h for h in search.search("tenant-b", facts["fields"]["invoice_number"], k=10) if h.metadata["doc_id"] == slot["doc_id"]]
    assert local.load_knowledge(ROOT / "knowledge") > 30  # as ./dev up does: the policies, for every tenant
    (policy,) = search.search("tenant-b", "who pays return shipping for damaged goods?", k=1)
    assert (policy.metadata["tenant_id"], policy.metadata["source"]) == ("*", "policies/returns-and-damaged-goods.md")


def test_a_scanned_invoice_is_read(local, corpus):
    doc, pdf, facts = corpus[1]
    # Another tenant: its first copy of this invoice, so no duplicate of tenant-a's upload.
    slot, _ = upload(local, "other_seller", "invoice", f"{doc.name}-scan.jpg", scan(pdf, seed=3), "image/jpeg")
    body = wait(local, slot["doc_id"], who="other_seller")
    assert body["status"] in (facts["expected_status"], "needs_review"), body["reasons"]
    assert body["fields"]["total"]["value"] == facts["fields"]["total"]
    assert body["fields"]["total"]["box"]


def test_a_failed_document_raises_a_compliance_alert(local, corpus):
    doc, pdf, facts = next(c for c in corpus if c[0].broken == "totals_mismatch")
    slot, _ = upload(local, "seller", "invoice", "again-totals-off.pdf", pdf, "application/pdf")
    assert wait(local, slot["doc_id"])["status"] == "fail"
    _, alerts = http_json("GET", f"{local.api_url}/alerts?type=compliance_failure", local.users.token("seller"))
    found = [a for a in alerts["alerts"] if a["details"]["doc_id"] == slot["doc_id"]]
    assert found
    assert "the total says" in " ".join(found[0]["details"]["reasons"])


def test_bad_files_get_clear_answers_and_nothing_half_written(local):
    token = local.users.token("seller")
    status, body = http_json("POST", f"{local.api_url}/upload-document", token, {"doc_type": "invoice", "file_name": "scan.gif"})
    assert status == 422
    assert body["field"] == "file_name"
    assert ".pdf" in body["error"]
    assert ".png" in body["error"]
    status, body = http_json("POST", f"{local.api_url}/upload-document", token,
                             {"doc_type": "invoice", "file_name": "a.pdf", "content_type": "image/png"})
    assert status == 422
    assert body["field"] == "content_type"
    status, body = http_json("POST", f"{local.api_url}/upload-document", token, {"doc_type": "menu", "file_name": "a.pdf"})
    assert status == 422
    assert body["field"] == "doc_type"
    # Too large and empty files are refused by the presigned policy: the object never lands.
    slot, stored = upload(local, "seller", "invoice", "big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "application/pdf")
    assert stored == 400
    assert wait_status(local, slot["doc_id"]) == "awaiting_upload"
    slot, stored = upload(local, "seller", "invoice", "empty.pdf", b"", "application/pdf")
    assert stored == 400
    assert wait_status(local, slot["doc_id"]) == "awaiting_upload"
    # A corrupt file and a 50-page PDF land, and end as needs_review with the reason.
    slot, _ = upload(local, "seller", "invoice", "corrupt.pdf", b"%PDF-1.7 broken bytes", "application/pdf")
    body = wait(local, slot["doc_id"])
    assert body["status"] == "needs_review"
    assert "could not be read" in body["reasons"][0]
    slot, _ = upload(local, "seller", "invoice", "long.pdf", multi_page_pdf(50, "Delivery note page"), "application/pdf")
    body = wait(local, slot["doc_id"])
    assert body["status"] == "needs_review"
    assert "50 pages" in body["reasons"][0]
    assert "split" in body["reasons"][0]


def wait_status(local, doc_id):
    time.sleep(1.5)  # what an S3 event would have started by now
    return http_json("GET", f"{local.api_url}/documents/{doc_id}", local.users.token("seller"))[1]["status"]


def test_the_same_idempotency_key_gives_the_same_document(local):
    first, _ = upload(local, "seller", "receipt", "r.png", b"", "image/png", key="doc-key-1")
    again, _ = upload(local, "seller", "receipt", "r.png", b"", "image/png", key="doc-key-1")
    assert first["doc_id"] == again["doc_id"]


def test_a_manager_reviews_a_document_and_the_review_is_audited(local, corpus):
    doc, pdf, facts = next(c for c in corpus if c[0].broken == "missing_number")
    slot, _ = upload(local, "seller", "invoice", "no-number.pdf", pdf, "application/pdf")
    assert wait(local, slot["doc_id"])["status"] == "fail"
    review = {"corrections": {"invoice_number": "INV/2026/7777"}, "resolution": "pass", "note": "number confirmed with the supplier"}
    assert http_json("POST", f"{local.api_url}/documents/{slot['doc_id']}/review", local.users.token("seller"), review)[0] == 403
    status, body = http_json("POST", f"{local.api_url}/documents/{slot['doc_id']}/review", local.users.token("manager"), review)
    assert status == 200
    assert body["status"] == "reviewed_pass"
    assert body["checked_status"] == "pass"
    assert body["fields"]["invoice_number"]["value"] == "INV/2026/7777"
    _, audit = http_json("GET", f"{local.api_url}/audit?entity={slot['doc_id']}", local.users.token("admin"))
    assert audit["entries"][0]["action"] == "document.reviewed"
    assert audit["entries"][0]["before"]["status"] == "fail"

    # The seller posts the file again while the upload URL still works: the review stands.
    assert post_file(slot["upload"], "no-number.pdf", pdf, "application/pdf") in (200, 204)
    time.sleep(3)  # the S3 event is delivered and its execution ends
    after = wait(local, slot["doc_id"])
    assert after["status"] == "reviewed_pass"
    assert after["reviewed_by"] == body["reviewed_by"]


def test_results_export_as_json_and_csv_and_stay_in_their_tenant(local, corpus):
    doc, pdf, _ = corpus[0]
    slot, _ = upload(local, "seller", "invoice", "export.pdf", pdf, "application/pdf")
    wait(local, slot["doc_id"])
    import urllib.request

    request = urllib.request.Request(f"{local.api_url}/documents/{slot['doc_id']}/export?format=csv",
                                     headers={"Authorization": local.users.token("seller")})
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
    assert text.splitlines()[0] == "section,name,value,confidence,detail"
    assert "field,vendor_gstin" in text
    status, listed = http_json("GET", f"{local.api_url}/documents?doc_type=invoice", local.users.token("seller"))
    assert status == 200
    assert slot["doc_id"] in {d["doc_id"] for d in listed["documents"]}
    assert http_json("GET", f"{local.api_url}/documents/{slot['doc_id']}", local.users.token("other_seller"))[0] == 404
    _, theirs = http_json("GET", f"{local.api_url}/documents", local.users.token("other_seller"))
    assert slot["doc_id"] not in {d["doc_id"] for d in theirs["documents"]}


@pytest.mark.parametrize("case, path", [
    ("DocumentPasses", ["ReadDocument", "AlreadyRead?", "ExtractAndValidate", "IndexForCopilot", "Failed?", "Done"]),
    ("DocumentFails", ["ReadDocument", "AlreadyRead?", "ExtractAndValidate", "IndexForCopilot", "Failed?", "RaiseComplianceAlert", "Done"]),
    ("DocumentUnreadable", ["ReadDocument", "MarkNeedsReview", "Done"]),
    ("TextractThrottledOnce", ["ReadDocument", "AlreadyRead?", "ExtractAndValidate", "IndexForCopilot", "Failed?", "Done"]),
    ("DocumentReadAlready", ["ReadDocument", "AlreadyRead?", "Ignored"]),
])
def test_the_deployed_definition_takes_each_path_on_the_step_functions_engine(state_machines, case, path):
    """The same definition on the emulator's Step Functions engine, its Lambda tasks mocked: every
    outcome ends the execution successfully (the document is never lost), throttling is retried."""
    result, entered = run_machine(state_machines["documents"], case, s3_event("bucket", "docs/tenant-a/doc-1/invoice.pdf"))
    assert result["status"] == "SUCCEEDED", result
    assert [s for s in entered if s != "Configure"] == path
