"""Receipt extraction on the 150 scanned receipts of ../shared/data/sroie_dev.

Systems: `smartretail` (the local pipeline from the image: PaddleOCR standing in for Textract, then
our extraction), `smartretail_tesseract` (the same pipeline with tesseract reading the image, the
engine the architecture first named), `smartretail_gold_ocr` (our extraction on the labelled OCR lines in box/, which
separates reading errors from extraction errors) and `tesseract_regex` (tesseract's plain text of the
same preprocessed page, so the difference is the extraction, with regular expressions: the first line as company, the next lines up to a phone line as address, the
first date, the amount on the first TOTAL line). Scores: exact match for total (as a number) and
date (as a calendar date), fuzzy match (ratio >= 90) for company and address after upper-casing
and collapsing spaces; seconds per page.

    .venv/bin/python -m benchmarks.documents_sroie [--limit N] [--misses FILE]
"""

import argparse
import json
import re
import time
from pathlib import Path

from ._results import SHARED_DATA, write_result

DATA = SHARED_DATA / "sroie_dev"
FIELDS = ("total", "date", "company", "address")


def gold_lines(box_csv: Path, image: Path) -> list:
    """The labelled OCR lines (x1,y1,...,x4,y4,text) as Lines relative to the page, confidence 100."""
    from PIL import Image

    from smartretail.documents.textract import Box, Line

    width, height = Image.open(image).size
    lines = []
    for raw in box_csv.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = raw.split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        xs, ys = [int(v) for v in parts[0:8:2]], [int(v) for v in parts[1:8:2]]
        lines.append(Line(parts[8].strip(), 100.0, Box(min(xs) / width, min(ys) / height,
                                                        (max(xs) - min(xs)) / width, (max(ys) - min(ys)) / height)))
    return lines


def _norm_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").upper()).strip()


def score(predicted: dict, truth: dict) -> dict[str, bool]:
    from rapidfuzz import fuzz

    from smartretail.documents.receipts import parse_amount, parse_date

    true_total, got_total = parse_amount(truth.get("total", "")), parse_amount(predicted.get("total") or "")
    true_date = parse_date(truth.get("date", ""))
    got_date = parse_date(predicted.get("date") or "") if predicted.get("date") else None
    return {
        "total": true_total is not None and got_total is not None and abs(true_total - got_total) < 0.005,
        "date": true_date is not None and got_date == true_date,
        "company": fuzz.ratio(_norm_text(predicted.get("company")), _norm_text(truth.get("company"))) >= 90,
        "address": fuzz.ratio(_norm_text(predicted.get("address")), _norm_text(truth.get("address"))) >= 90,
    }


def tesseract_regex(text: str) -> dict:
    """The baseline: plain OCR text and regular expressions, no layout."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    address = []
    for line in lines[1:6]:
        if re.search(r"TEL|FAX|GST|PHONE", line.upper()):
            break
        address.append(line)
    date = re.search(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}", text)
    total_line = next((line for line in lines if "TOTAL" in line.upper()), "")
    amount = re.findall(r"\d+[.,]\d{2}", total_line)
    return {"company": lines[0] if lines else None, "address": " ".join(address) or None,
            "date": date.group(0) if date else None, "total": amount[-1].replace(",", ".") if amount else None}


def run(limit: int = 0, misses_path: Path | None = None) -> dict:
    from smartretail.adapters.local_textract import LocalTextract, TesseractOcr, page_image
    from smartretail.documents.__main__ import process
    from smartretail.documents.receipts import extract_receipt

    images = sorted((DATA / "img").glob("*.jpg"))[: limit or None]
    ocr = TesseractOcr()
    readers = {"smartretail": LocalTextract(), "smartretail_tesseract": LocalTextract(ocr=ocr)}
    results = {name: {f: 0 for f in FIELDS} for name in (*readers, "smartretail_gold_ocr", "tesseract_regex")}
    seconds = {name: 0.0 for name in (*readers, "tesseract_regex")}
    misses: list[dict] = []
    for image in images:
        truth = json.loads((DATA / "key" / f"{image.stem}.json").read_text())
        predicted = {}
        for name, reader in readers.items():
            started = time.perf_counter()
            # The local document pipeline end to end: Textract's stand-in, extraction, the receipt rules.
            result = process(image.read_bytes(), reader, "receipt")
            seconds[name] += time.perf_counter() - started
            predicted[name] = {k: result.get(k) for k in FIELDS}
        ours = predicted["smartretail"]
        gold_fields = extract_receipt(gold_lines(DATA / "box" / f"{image.stem}.csv", image))
        gold = {k: (v.value if v else None) for k, v in gold_fields.items()}
        started = time.perf_counter()
        baseline = tesseract_regex(ocr.plain_text(page_image(image.read_bytes())))
        seconds["tesseract_regex"] += time.perf_counter() - started
        predicted.update(smartretail_gold_ocr=gold, tesseract_regex=baseline)
        for name, fields in predicted.items():
            for field, ok in score(fields, truth).items():
                results[name][field] += ok
        wrong = [f for f, ok in score(ours, truth).items() if not ok]
        if wrong:
            misses.append({"doc": image.stem, "wrong": wrong, **{f: [ours.get(f), truth.get(f)] for f in wrong}})
    n = len(images)
    systems = {}
    for name, counts in results.items():
        systems[name] = {f"{f}_exact" if f in ("total", "date") else f"{f}_fuzzy": round(counts[f] / n, 4) for f in FIELDS}
        systems[name]["mean"] = round(sum(counts.values()) / (4 * n), 4)
        if name in seconds:
            systems[name]["seconds_per_page"] = round(seconds[name] / n, 2)
    if misses_path:
        misses_path.write_text(json.dumps(misses, indent=1))
    return systems


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.documents_sroie")
    parser.add_argument("--limit", type=int, default=0, help="only the first N receipts")
    parser.add_argument("--misses", type=Path, help="write what our pipeline got wrong, per receipt, to this JSON file")
    args = parser.parse_args()
    systems = run(args.limit, args.misses)
    write_result("documents_sroie", f"../shared/data/sroie_dev: {args.limit or 150} scanned receipts, keys company/date/address/total",
                 systems, metric_notes="total and date exact after normalisation (number, calendar date); company and "
                 "address fuzzy: rapidfuzz ratio >= 90 after upper-casing and collapsing spaces; seconds_per_page: OCR + extraction")


if __name__ == "__main__":
    main()
