"""Invoice field extraction on real invoices: the three labelled sets in ../shared/data/invoices
(dev halves), through the same reading and extraction as the document pipeline (the local Textract
stand-in: pdfplumber's text layer, PaddleOCR for pages without one).

    PYTHONPATH=. .venv/bin/python -m benchmarks.documents_invoices [--limit N] [--misses FILE]

Scoring follows the sets' labels: amounts equal to the cent, dates the same day, names fuzzy >= 90
(rapidfuzz ratio, upper-cased, spaces collapsed), ids exact (spaces ignored); line items count when
an extracted item has a labelled line's amount and a name fuzzy >= 80 (token set ratio), F1 over the
document's lines (names compared without punctuation: 'Design (hours):' is 'Design (hours)'). Seconds per
page cover reading and extraction. `<set>_invoice_number_not_printed` counts labelled numbers that do not
occur in the document's text at all (the set's XML numbers some documents differently from their page).
"""

import argparse
import json
import re
import time
from datetime import date
from pathlib import Path

from ._results import SHARED_DATA, write_result

SETS = SHARED_DATA / "invoices"


def _name(text: str | None) -> str:
    return " ".join(str(text or "").upper().split())


def _same_name(got: str | None, expected: str | None, threshold: float = 90) -> bool:
    from rapidfuzz import fuzz

    if not got or not expected:
        return False
    # A labelled name may hold several lines ('GLN ...\nMUSTERLIEFERANT GMBH'): any of them is the name.
    candidates = [expected, *[line for line in str(expected).splitlines() if line.strip()]]
    return max(fuzz.ratio(_name(got), _name(c)) for c in candidates) >= threshold


def _amount(text) -> float | None:
    if text is None or text == "":
        return None
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = re.sub(r"[^\d.,-]", "", str(text))
    if "," in cleaned and "." not in cleaned and re.search(r",\d{2}$", cleaned):
        cleaned = cleaned.replace(",", ".")
    return float(cleaned.replace(",", "")) if cleaned else None


def _same_amount(got, expected) -> bool:
    got, expected = _amount(got), _amount(expected)
    return got is not None and expected is not None and abs(got - expected) < 0.005


def _same_id(got, expected) -> bool:
    norm = lambda v: re.sub(r"\s+", "", str(v or "")).upper()  # noqa: E731
    return bool(got) and norm(got) == norm(expected)


def _compact(text) -> str:
    return re.sub(r"[‐‑−–]", "-", re.sub(r"\s+", "", str(text))).upper()  # typographic hyphens as printed


def _same_day(got: str | None, expected: str) -> bool:
    if not got:
        return False
    expected = expected if "-" in expected else f"{expected[:4]}-{expected[4:6]}-{expected[6:8]}"
    return date.fromisoformat(got) == date.fromisoformat(expected)


def _value(result: dict, name: str):
    field = result.get("fields", {}).get(name)
    return field.get("value") if field else None


def _items_f1(got: list[dict], expected: list[dict], amount_key: str, name_key: str) -> tuple[int, int, int]:
    from rapidfuzz import fuzz
    from rapidfuzz.utils import default_process

    expected = [e for e in expected if e.get(amount_key) not in (None, "")]
    matched, used = 0, set()
    for item in got:
        for i, line in enumerate(expected):
            if i not in used and _same_amount(item.get("amount"), line.get(amount_key)) and \
                    fuzz.token_set_ratio(item.get("description") or "", line.get(name_key) or "", processor=default_process) >= 80:
                used.add(i)
                matched += 1
                break
    return matched, len(got), len(expected)


def _load(set_name: str) -> list[tuple[Path, dict]]:
    folder = SETS / set_name
    if set_name == "invoice2data":
        out = []
        for label in sorted(folder.glob("*.json")):
            pdf = label.with_suffix(".pdf")
            if pdf.exists():
                out.append((pdf, json.loads(label.read_text())[0]))
        return out
    return [(folder / row["file"], row) for row in map(json.loads, (folder / "labels.jsonl").read_text().splitlines())]


def _vat_id(label: dict) -> str | None:
    return next((t["id"] for t in label.get("seller", {}).get("tax_ids", []) if t.get("scheme") == "VA"), None)


SCORERS = {
    "deepform": {
        "total": lambda r, l: _same_amount(_value(r, "total"), l["gross_amount"]),
        "reference": lambda r, l: any(_same_id(ref.get("value"), l["contract_num"]) for ref in r.get("reference_numbers", []))
        or _same_id(_value(r, "invoice_number"), l["contract_num"]),
        "advertiser": lambda r, l: _same_name(_value(r, "buyer_name"), l["advertiser"]),
    },
    "zugferd": {
        "invoice_number": lambda r, l: _same_id(_value(r, "invoice_number"), l["invoice_number"]),
        "date": lambda r, l: _same_day(_value(r, "invoice_date"), l["issue_date"]),
        "seller_name": lambda r, l: _same_name(_value(r, "vendor_name"), l["seller"]["name"]),
        "total": lambda r, l: _same_amount(_value(r, "total"), l["grand_total"]),
        "seller_vat_id": lambda r, l: None if not _vat_id(l) else _same_id(_value(r, "vendor_tax_id"), _vat_id(l)),
        "net": lambda r, l: None if not l.get("tax_basis_total") else _same_amount(_value(r, "subtotal"), l["tax_basis_total"]),
        "tax": lambda r, l: _same_amount(_value(r, "tax_total"), l["tax_total"]),
    },
    "invoice2data": {
        "invoice_number": lambda r, l: _same_id(_value(r, "invoice_number"), l["invoice_number"]),
        "date": lambda r, l: _same_day(_value(r, "invoice_date"), l["date"]),
        "issuer": lambda r, l: _same_name(_value(r, "vendor_name"), l["issuer"]),
        "total": lambda r, l: None if "amount" not in l else _same_amount(_value(r, "total"), l["amount"]),
        "net": lambda r, l: None if "amount_untaxed" not in l else _same_amount(_value(r, "subtotal"), l["amount_untaxed"]),
        "vat_id": lambda r, l: None if "vat" not in l else _same_id(_value(r, "vendor_tax_id"), l["vat"]),
        "currency": lambda r, l: _same_id(_value(r, "currency"), l["currency"]),
    },
}


def run(limit: int = 0, misses: Path | None = None) -> dict:
    from smartretail.adapters.local_textract import LocalTextract
    from smartretail.documents.__main__ import process

    reader = LocalTextract()
    systems, missed = {}, []
    pages = seconds = 0.0
    for set_name, scorers in SCORERS.items():
        docs = _load(set_name)[: limit or None]
        hits = {field: [0, 0] for field in scorers}
        unprinted = 0  # labelled invoice numbers that are not on the page at all (a ceiling for that field)
        lines_f1 = [0, 0, 0]
        for path, label in docs:
            started = time.perf_counter()
            result = process(path.read_bytes(), reader, "invoice")
            seconds += time.perf_counter() - started
            pages += result.get("pages", 1)
            for field, score in scorers.items():
                verdict = score(result, label)
                if verdict is None:
                    continue
                hits[field][0] += bool(verdict)
                hits[field][1] += 1
                if not verdict:
                    missed.append({"set": set_name, "file": path.name, "field": field,
                                   "got": {k: v.get("value") for k, v in result.get("fields", {}).items()},
                                   "refs": result.get("reference_numbers", [])})
            if "invoice_number" in scorers and label.get("invoice_number"):
                unprinted += _compact(label["invoice_number"]) not in _compact(result.get("text", ""))
            if set_name == "zugferd":
                for i, n in enumerate(_items_f1(result.get("line_items", []), label.get("line_items", []), "line_total", "name")):
                    lines_f1[i] += n
        for field, (hit, total) in hits.items():
            systems[f"{set_name}_{field}"] = round(hit / total, 4) if total else None
            systems[f"{set_name}_{field}_n"] = total
        if "invoice_number" in scorers:
            systems[f"{set_name}_invoice_number_not_printed"] = unprinted
        if set_name == "zugferd":
            matched, got, expected = lines_f1
            precision, recall = matched / got if got else 0.0, matched / expected if expected else 0.0
            systems["zugferd_line_items_f1"] = round(2 * precision * recall / (precision + recall), 4) if matched else 0.0
    systems["seconds_per_page"] = round(seconds / max(pages, 1), 3)
    if misses:
        misses.write_text(json.dumps(missed, indent=1, default=str))
    return systems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--misses", type=Path)
    args = parser.parse_args()
    systems = run(args.limit, args.misses)
    write_result("documents_invoices", "../shared/data/invoices dev halves: deepform (192 US TV-station invoices), zugferd "
                 "(21 EN 16931 samples, DE/FR), invoice2data (11 vendor invoices with PDFs)", {"smartretail": systems})


if __name__ == "__main__":
    main()
