"""Extract from files: the local document pipeline over a folder of invoices, GST certificates and
receipts (PDF, JPEG or PNG).

    .venv/bin/python -m smartretail.documents --in documents/ --out results/ [--type auto|invoice|gst_certificate|receipt]

Each file is read as Textract would read it (locally: pdfplumber for digital PDFs, tesseract for
images and scanned pages), its fields extracted and checked against the rules of its type. One JSON
per document: `doc_type`, `status` (pass | fail | needs_review), `reasons`, `rule_version`, every
field with its confidence (0..1), the text it came from and its box on the page, tax lines and line
items for invoices, and each rule's result. Receipts also carry `company`, `date` (ISO), `address`
and `total` at the top level. A file that cannot be read gets `needs_review` with the reason.
"""

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")
_CERTIFICATE = re.compile(r"REG-06|REGISTRATION\s+CERTIFICATE", re.I)
_INDIAN_GST = re.compile(r"\bGSTIN\b|\bCGST\b|\bSGST\b|\bIGST\b", re.I)


def detect_type(text: str) -> str:
    """A document's type from its words, when the caller does not say. Many retail receipts call
    themselves a tax invoice, so an invoice is what names a GSTIN or the Indian GST taxes."""
    if _CERTIFICATE.search(text):
        return "gst_certificate"
    if _INDIAN_GST.search(text):
        return "invoice"
    return "receipt"


def process(document: bytes, reader: Any, doc_type: str = "auto", today: date | None = None,
            is_duplicate=None) -> dict[str, Any]:
    """Read, extract and validate one document, as the document pipeline does."""
    from .extraction import EXTRACTORS
    from .rules import validate
    from .textract import lines_from_blocks

    expense = reader.analyze_expense(document)
    if doc_type == "auto":
        blocks = (expense.get("ExpenseDocuments") or [{}])[0].get("Blocks", [])
        doc_type = detect_type(" ".join(line.text for line in lines_from_blocks({"Blocks": blocks})))
    response = reader.analyze_document(document) if doc_type == "gst_certificate" else expense
    extracted = EXTRACTORS[doc_type](response)
    result = validate(extracted, today or date.today(), is_duplicate)
    out = {"doc_type": doc_type, **result, **{k: v for k, v in extracted.items() if k != "doc_type"}}
    if doc_type == "receipt":
        out.update({name: (extracted["fields"].get(name) or {}).get("value") for name in ("company", "date", "address", "total")})
    return out


def extract_file(path: Path, reader: Any, doc_type: str = "auto") -> dict[str, Any]:
    return {"document": path.name, **process(path.read_bytes(), reader, doc_type)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smartretail.documents", description=__doc__.split("\n\n")[0])
    parser.add_argument("--in", dest="source", type=Path, required=True, help="a folder of PDF, JPEG or PNG documents")
    parser.add_argument("--out", type=Path, required=True, help="where the JSON results go (created if missing)")
    parser.add_argument("--type", default="auto", choices=("auto", "invoice", "gst_certificate", "receipt"))
    parser.add_argument("--ocr", default="paddle", choices=("paddle", "tesseract"),
                        help="the engine that reads images and scanned pages (digital PDFs are read from their text)")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"error: {args.source} is not a folder", file=sys.stderr)
        return 2
    from ..adapters.local_textract import LocalTextract, PaddleOcr, TesseractOcr

    files = sorted(p for p in args.source.iterdir() if p.suffix.lower() in SUFFIXES)
    if not files:
        print(f"error: no PDF, JPEG or PNG files in {args.source}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    ocr = PaddleOcr() if args.ocr == "paddle" else TesseractOcr()
    reader, unreadable, statuses = LocalTextract(ocr=ocr), 0, {}
    for path in files:
        try:
            result = extract_file(path, reader, args.type)
        except Exception as exc:  # one unreadable file must not stop the folder
            unreadable += 1
            result = {"document": path.name, "status": "needs_review", "reasons": [f"could not be read: {exc}"]}
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        (args.out / f"{path.stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    print(f"{len(files)} documents into {args.out}: {summary}")
    return 1 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
