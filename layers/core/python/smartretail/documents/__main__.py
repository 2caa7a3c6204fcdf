"""Extract from files: the local document pipeline over a folder of receipts.

    .venv/bin/python -m smartretail.documents --in receipts/ --out results/

Reads every JPEG or PNG in the folder (tesseract, standing in for Textract), extracts the receipt
fields and writes one JSON per document: `company`, `date` (ISO), `address`, `total` at the top
level, and under `fields` each with its confidence (0..1), the OCR text it came from and its box on
the page (relative). PDFs and the compliance rules come with the document pipeline.
"""

import argparse
import json
import sys
from pathlib import Path

IMAGES = (".jpg", ".jpeg", ".png")


def extract_file(path: Path, ocr) -> dict:
    from .receipts import extract_receipt
    from .textract import lines_from_blocks

    fields = extract_receipt(lines_from_blocks(ocr.detect_document_text(path.read_bytes())))
    return {
        "document": path.name,
        "doc_type": "receipt",
        **{name: (field.value if field else None) for name, field in fields.items()},
        "fields": {name: (field.to_json() if field else None) for name, field in fields.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smartretail.documents", description=__doc__.split("\n\n")[0])
    parser.add_argument("--in", dest="source", type=Path, required=True, help="a folder of receipt images")
    parser.add_argument("--out", type=Path, required=True, help="where the JSON results go (created if missing)")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"error: {args.source} is not a folder", file=sys.stderr)
        return 2
    from ..adapters.local_textract import TesseractTextract

    files = sorted(p for p in args.source.iterdir() if p.suffix.lower() in IMAGES)
    if not files:
        print(f"error: no JPEG or PNG files in {args.source}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    ocr, failed = TesseractTextract(), 0
    for path in files:
        try:
            result = extract_file(path, ocr)
        except Exception as exc:  # one unreadable file must not stop the folder
            failed += 1
            result = {"document": path.name, "status": "needs_review", "reason": f"could not be read: {exc}"}
        (args.out / f"{path.stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(files) - failed} of {len(files)} documents extracted into {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
