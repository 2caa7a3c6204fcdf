"""The Textract adapter on AWS (Textract and S3 stubbed): a PDF over the page limit is refused before
a paid job starts, and a retried start names the same job."""

import io

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from smartretail.adapters.aws_textract import TextractReader
from smartretail.documents.generator import multi_page_pdf
from smartretail.documents.textract import DocumentUnreadable


@pytest.fixture
def clients(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    textract, s3 = boto3.client("textract", region_name="eu-west-1"), boto3.client("s3", region_name="eu-west-1")
    with Stubber(textract) as textract_stub, Stubber(s3) as s3_stub:
        yield textract, textract_stub, s3, s3_stub


def _object(s3_stub, body: bytes):
    s3_stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))}, {"Bucket": "docs", "Key": "docs/t1/d1/inv.pdf"})


def test_a_pdf_over_the_page_limit_is_refused_before_textract_is_asked(clients):
    textract, textract_stub, s3, s3_stub = clients
    _object(s3_stub, multi_page_pdf(50))
    with pytest.raises(DocumentUnreadable, match="50 pages and at most 20"):
        TextractReader(20, textract=textract, s3=s3).analyze_expense("docs", "docs/t1/d1/inv.pdf")
    textract_stub.assert_no_pending_responses()  # no job was started


def test_a_retried_start_asks_for_the_same_job(clients):
    textract, textract_stub, s3, s3_stub = clients
    tokens = []
    for _ in range(2):  # the step timed out once and the state machine ran it again
        _object(s3_stub, multi_page_pdf(2))
        textract_stub.add_response("start_expense_analysis", {"JobId": "job-1"},
                                   {"DocumentLocation": ANY, "ClientRequestToken": ANY})
        textract_stub.add_response("get_expense_analysis", {"JobStatus": "SUCCEEDED", "DocumentMetadata": {"Pages": 2},
                                                            "ExpenseDocuments": []}, {"JobId": "job-1"})
    reader = TextractReader(20, textract=textract, s3=s3, sleep=lambda _: None)
    original = textract.start_expense_analysis

    def recording(**request):
        tokens.append(request["ClientRequestToken"])
        return original(**request)

    textract.start_expense_analysis = recording
    for _ in range(2):
        assert reader.analyze_expense("docs", "docs/t1/d1/inv.pdf")["DocumentMetadata"] == {"Pages": 2}
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]


def test_the_claimed_version_is_the_one_textract_reads(clients):
    textract, textract_stub, s3, s3_stub = clients
    body = multi_page_pdf(1)
    s3_stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))},
                         {"Bucket": "docs", "Key": "docs/t1/d1/inv.pdf", "VersionId": "v1"})
    textract_stub.add_response("start_expense_analysis", {"JobId": "job-1"}, {
        "DocumentLocation": {"S3Object": {"Bucket": "docs", "Name": "docs/t1/d1/inv.pdf", "Version": "v1"}},
        "ClientRequestToken": ANY})
    textract_stub.add_response("get_expense_analysis", {"JobStatus": "SUCCEEDED", "DocumentMetadata": {"Pages": 1},
                                                        "ExpenseDocuments": []}, {"JobId": "job-1"})
    reader = TextractReader(20, textract=textract, s3=s3, sleep=lambda _: None)
    assert reader.analyze_expense("docs", "docs/t1/d1/inv.pdf", "v1")["DocumentMetadata"] == {"Pages": 1}
