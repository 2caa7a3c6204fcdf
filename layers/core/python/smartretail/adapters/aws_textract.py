"""DocumentReader on Amazon Textract. Images are analysed synchronously; PDFs (possibly many pages)
with the asynchronous API, polled until done, their pages merged into one response of the
synchronous shape so extraction reads both the same way.

Textract charges by the page: a PDF's pages are counted (pypdf) before a job starts, and one over
the limit is refused as unreadable, as locally. A job is started with a ClientRequestToken made from
the object, so the state machine's retry of a step that timed out gets the same job, not a new one."""

import hashlib
import io
import time
from typing import Any, Callable

from ..documents.textract import DocumentUnreadable, check_page_count
from .aws_clients import client, translates_errors

POLL_SECONDS = 2.0
# Textract's answers for files it cannot read; throttling and service errors are not here: they
# propagate, and the state machine's Retry takes care of them.
UNREADABLE = ("InvalidS3ObjectException", "UnsupportedDocumentException", "BadDocumentException", "DocumentTooLargeException",
              "InvalidParameterException")


@translates_errors("Textract")
class TextractReader:
    def __init__(self, max_pages: int = 20, timeout_seconds: float = 240.0, textract: Any | None = None, s3: Any | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._max_pages = max_pages
        self._textract_client, self._s3_client = textract, s3
        self._timeout = timeout_seconds
        self._sleep = sleep

    @property
    def _textract(self) -> Any:
        return self._textract_client or client("textract")

    @property
    def _s3(self) -> Any:
        return self._s3_client or client("s3")

    def _pdf_job(self, bucket: str, key: str, version_id: str | None) -> dict[str, Any]:
        """What starts a PDF's asynchronous job: its location, after its pages were counted, and its
        token (one job per object version, however often the step is retried)."""
        body = self._s3.get_object(Bucket=bucket, Key=key, **({"VersionId": version_id} if version_id else {}))["Body"].read()
        check_page_count(_pdf_pages(body), self._max_pages)
        token = hashlib.sha256(f"{bucket}/{key}/{version_id or ''}".encode()).hexdigest()[:64]
        return {"DocumentLocation": _location(bucket, key, version_id), "ClientRequestToken": token}

    def analyze_expense(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        location = _location(bucket, key, version_id)
        if not key.lower().endswith(".pdf"):
            return self._call(lambda: self._textract.analyze_expense(Document=location))
        job = self._call(lambda: self._textract.start_expense_analysis(**self._pdf_job(bucket, key, version_id)))["JobId"]
        pages = self._results(lambda token: self._textract.get_expense_analysis(JobId=job, **token))
        return {"DocumentMetadata": pages[0].get("DocumentMetadata", {}),
                "ExpenseDocuments": [d for page in pages for d in page.get("ExpenseDocuments", [])]}

    def analyze_document(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        location = _location(bucket, key, version_id)
        features = ["FORMS", "TABLES"]
        if not key.lower().endswith(".pdf"):
            return self._call(lambda: self._textract.analyze_document(Document=location, FeatureTypes=features))
        job = self._call(lambda: self._textract.start_document_analysis(**self._pdf_job(bucket, key, version_id),
                                                                      FeatureTypes=features))["JobId"]
        pages = self._results(lambda token: self._textract.get_document_analysis(JobId=job, **token))
        return {"DocumentMetadata": pages[0].get("DocumentMetadata", {}), "Blocks": [b for page in pages for b in page.get("Blocks", [])]}

    def _call(self, request: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return request()
        except self._textract.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in UNREADABLE:
                raise DocumentUnreadable(f"Textract cannot read it: {exc.response['Error'].get('Message', code)}") from None
            raise

    def _results(self, get: Callable[[dict[str, str]], dict[str, Any]]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + self._timeout
        while True:
            first = self._call(lambda: get({}))
            if first["JobStatus"] == "SUCCEEDED" or first["JobStatus"] == "PARTIAL_SUCCESS":
                break
            if first["JobStatus"] == "FAILED":
                raise DocumentUnreadable(f"Textract could not read it: {first.get('StatusMessage', 'the job failed')}")
            if time.monotonic() > deadline:
                raise TimeoutError("Textract did not finish in time")  # retried by the state machine
            self._sleep(POLL_SECONDS)
        pages = [first]
        while pages[-1].get("NextToken"):
            token = pages[-1]["NextToken"]
            pages.append(self._call(lambda: get({"NextToken": token})))
        return pages


def _location(bucket: str, key: str, version_id: str | None) -> dict[str, Any]:
    return {"S3Object": {"Bucket": bucket, "Name": key, **({"Version": version_id} if version_id else {})}}


def _pdf_pages(body: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(io.BytesIO(body)).pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DocumentUnreadable(f"not a readable PDF: {exc}") from None
