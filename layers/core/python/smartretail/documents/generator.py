"""Realistic test documents with known ground truth: GST tax invoices and GST registration
certificates, rendered as digital PDFs (a text layer, as accounting software exports them) and as
noisy scans (the same page printed and scanned: slightly rotated, low contrast, speckled, JPEG), plus
broken ones (a mistyped GSTIN check character, totals that do not add up, a missing invoice number,
a tax rate GST does not have, a date in the future, an expired certificate, a duplicate invoice).

    python -m smartretail.documents.generator --out DIR [--seed N]

writes `<name>.pdf` / `<name>.jpg` / `<name>.png` and `<name>.truth.json` (the fields, the expected
status and the rules expected to fail). Same seed, same documents.

Documents are set in three typefaces in turn (a sans, a serif and a monospace like a POS printer's)
whose TrueType files are embedded in the PDF: a PDF that names a core font without embedding it is
drawn with whatever fonts the machine has, so its scans would differ from machine to machine. The
files come from Debian's fonts-liberation2 and fonts-dejavu-core, which `./dev` installs.
"""

import argparse
import io
import json
import os
import random
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import gstin

STATES = {"27": ("Maharashtra", "Mumbai", "400001"), "29": ("Karnataka", "Bengaluru", "560001"),
          "07": ("Delhi", "New Delhi", "110001"), "33": ("Tamil Nadu", "Chennai", "600001")}
VENDORS = ["Sharma Traders", "Krishna Wholesale Foods", "Deccan Packaging", "Lotus Home Supplies", "Ganga Beverages"]
BUYERS = ["SmartMart Retail", "Corner Basket Stores", "FreshWay Supermarket"]
ITEMS = [("Basmati rice 5 kg", 420.0), ("Sunflower oil 1 L", 165.0), ("Green tea 100 bags", 240.0), ("Detergent powder 1 kg", 135.0),
         ("Paper towels 6 rolls", 210.0), ("Biscuits assorted 400 g", 95.0), ("Mineral water 1 L x 12", 180.0),
         ("Toothpaste 150 g", 88.0), ("Instant noodles 12 pack", 144.0), ("Dish soap 500 ml", 99.0)]
STREETS = ["MG Road", "Station Road", "Nehru Nagar", "Industrial Area Phase 2", "Market Yard"]

FONT_DIR = Path(os.environ.get("SMARTRETAIL_FONT_DIR", "/usr/share/fonts/truetype"))
TYPEFACES = {  # name: (regular, bold), relative to FONT_DIR
    "sans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
    "serif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf"),
    "mono": ("dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
}


def _pan(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(rng.choice(letters) for _ in range(3)) + "P" + rng.choice(letters) + f"{rng.randint(1000, 9999)}" + rng.choice(letters)


@dataclass
class Party:
    name: str
    state: str
    gstin: str
    address: str


@dataclass
class Invoice:
    name: str
    vendor: Party
    buyer: Party
    number: str
    issued: date
    items: list[tuple[str, float, float]]       # description, quantity, unit price
    rate: float                                  # GST rate in %
    broken: str | None = None
    total_override: float | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    typeface: str = "sans"

    @property
    def intra_state(self) -> bool:
        return self.vendor.state == self.buyer.state

    def amounts(self) -> dict[str, Any]:
        subtotal = round(sum(q * p for _, q, p in self.items), 2)
        taxes = ([{"type": "CGST", "rate": self.rate / 2, "amount": round(subtotal * self.rate / 200, 2)},
                  {"type": "SGST", "rate": self.rate / 2, "amount": round(subtotal * self.rate / 200, 2)}]
                 if self.intra_state else [{"type": "IGST", "rate": self.rate, "amount": round(subtotal * self.rate / 100, 2)}])
        total = round(subtotal + sum(t["amount"] for t in taxes), 2)
        return {"subtotal": subtotal, "taxes": taxes, "total": self.total_override if self.total_override is not None else total}


@dataclass
class Certificate:
    name: str
    holder: Party
    trade_name: str
    valid_from: date
    valid_to: date | None
    broken: str | None = None
    typeface: str = "sans"


def _party(rng: random.Random, name: str, state: str | None = None) -> Party:
    state = state or rng.choice(list(STATES))
    region, city, pin = STATES[state]
    address = f"{rng.randint(1, 220)}, {rng.choice(STREETS)}, {city}, {region} {pin}"
    return Party(name, state, gstin.make(state, _pan(rng), str(rng.randint(1, 3))), address)


def documents(seed: int = 7, today: date = date(2026, 11, 1)) -> list[Invoice | Certificate]:
    """The set: valid invoices (intra- and inter-state) and certificates, and each broken case."""
    rng = random.Random(seed)
    out: list[Invoice | Certificate] = []

    def invoice(name: str, broken: str | None = None, **changes) -> Invoice:
        vendor = _party(rng, rng.choice(VENDORS))
        buyer = _party(rng, rng.choice(BUYERS), vendor.state if rng.random() < 0.6 else None)
        items = [(d, float(rng.randint(1, 24)), p) for d, p in rng.sample(ITEMS, rng.randint(2, 5))]
        made = Invoice(name, vendor, buyer, f"INV/{today.year}/{rng.randint(100, 9999):04d}",
                       today - timedelta(days=rng.randint(3, 120)), items, rng.choice([5.0, 12.0, 18.0]), broken)
        for key, value in changes.items():
            setattr(made, key, value)
        return made

    for i in range(3):
        out.append(invoice(f"invoice-{i + 1}"))
    bad = invoice("invoice-wrong-check-digit", "wrong_check_digit")
    last = bad.vendor.gstin[-1]
    bad.vendor.gstin = bad.vendor.gstin[:-1] + ("A" if last != "A" else "B")
    out.append(bad)
    off = invoice("invoice-totals-off", "totals_mismatch")
    off.total_override = round(off.amounts()["total"] + 500.0, 2)
    out.append(off)
    out.append(invoice("invoice-missing-number", "missing_number", number=""))
    out.append(invoice("invoice-bad-rate", "bad_rate", rate=15.0))
    out.append(invoice("invoice-future-date", "future_date", issued=date(2099, 1, 15)))
    first = out[0]
    out.append(Invoice("invoice-duplicate", first.vendor, first.buyer, first.number, first.issued, list(first.items), first.rate,
                       "duplicate"))
    for i in range(2):
        holder = _party(rng, rng.choice(VENDORS))
        out.append(Certificate(f"certificate-{i + 1}", holder, holder.name.split()[0] + " Mart",
                               date(2018 + i, 4, 1), None))
    holder = _party(rng, rng.choice(VENDORS))
    out.append(Certificate("certificate-expired", holder, holder.name.split()[0] + " Stores", date(2019, 7, 1), date(2024, 3, 31),
                           "expired"))
    bad_holder = _party(rng, rng.choice(VENDORS))
    bad_holder.gstin = bad_holder.gstin[:-1] + ("C" if bad_holder.gstin[-1] != "C" else "D")
    out.append(Certificate("certificate-wrong-check-digit", bad_holder, bad_holder.name.split()[0] + " Depot", date(2020, 1, 1),
                           None, "wrong_check_digit"))
    for i, doc in enumerate(out):
        doc.typeface = list(TYPEFACES)[i % len(TYPEFACES)]
    return out


EXPECTED_FAILURES = {None: [], "wrong_check_digit": ["vendor_gstin_valid"], "totals_mismatch": ["totals_add_up"],
                     "missing_number": ["required_fields"], "bad_rate": ["tax_rates_allowed"],
                     "future_date": ["invoice_date_plausible"], "duplicate": ["duplicate_invoice"], "expired": ["still_valid"]}


def truth(doc: Invoice | Certificate) -> dict[str, Any]:
    if isinstance(doc, Invoice):
        amounts = doc.amounts()
        fields = {"vendor_name": doc.vendor.name, "vendor_gstin": doc.vendor.gstin, "vendor_address": doc.vendor.address,
                  "buyer_name": doc.buyer.name, "buyer_gstin": doc.buyer.gstin, "invoice_number": doc.number or None,
                  "invoice_date": doc.issued.isoformat(), "currency": "INR", "subtotal": amounts["subtotal"], "total": amounts["total"]}
        failures = list(EXPECTED_FAILURES[doc.broken])
        if doc.broken == "bad_rate":
            failures = ["tax_rates_allowed"]
        return {"doc_type": "invoice", "typeface": doc.typeface, "fields": fields, "taxes": amounts["taxes"],
                "line_items": [{"description": d, "quantity": q, "unit_price": p, "amount": round(q * p, 2)} for d, q, p in doc.items],
                "expected_status": "fail" if failures else "pass", "expected_failures": failures}
    failures = ["gstin_valid"] if doc.broken == "wrong_check_digit" else list(EXPECTED_FAILURES[doc.broken])
    return {"doc_type": "gst_certificate", "typeface": doc.typeface,
            "fields": {"holder_name": doc.holder.name, "trade_name": doc.trade_name, "gstin": doc.holder.gstin,
                       "address": doc.holder.address, "valid_from": doc.valid_from.isoformat(),
                       "valid_to": doc.valid_to.isoformat() if doc.valid_to else None},
            "expected_status": "fail" if failures else "pass", "expected_failures": failures}


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _font_files(typeface: str) -> tuple[Path, Path]:
    regular, bold = (FONT_DIR / name for name in TYPEFACES[typeface])
    for path in (regular, bold):
        if not path.is_file():
            raise FileNotFoundError(f"font {path} is missing: install Debian's fonts-liberation2 and fonts-dejavu-core "
                                    "(./dev does), or point SMARTRETAIL_FONT_DIR at a folder holding the same files")
    return regular, bold


def render_pdf(doc: Invoice | Certificate) -> bytes:
    """A one-page digital PDF with a text layer, its typeface embedded."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    regular, bold = _font_files(doc.typeface)
    pdf.add_font("doc", "", str(regular))
    pdf.add_font("doc", "B", str(bold))
    pdf.add_page()
    pdf.set_font("doc", size=10)
    if isinstance(doc, Invoice):
        _invoice_page(pdf, doc)
    else:
        _certificate_page(pdf, doc)
    return bytes(pdf.output())


def multi_page_pdf(pages: int, label: str = "page") -> bytes:
    """A PDF of `pages` short pages ('page 1', 'page 2', ...), to try the page limit with."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("doc", "", str(_font_files("sans")[0]))
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("doc", size=12)
        pdf.cell(0, 10, f"{label} {page + 1}")
    return bytes(pdf.output())


def _text(pdf, x: float, y: float, text: str, size: float = 10, bold: bool = False, align: str = "L", width: float = 0,
          fit: float = 0) -> None:
    """A line of text; with `fit`, set smaller until it is at most that wide (mm), as a wide typeface
    would otherwise run into the column beside it."""
    pdf.set_font("doc", "B" if bold else "", size)
    while fit and size > 6 and pdf.get_string_width(text) > fit:
        size -= 0.5
        pdf.set_font("doc", "B" if bold else "", size)
    pdf.set_xy(x, y)
    if width:
        pdf.cell(width, 6, text, align=align)
    else:
        pdf.cell(0, 6, text)


def _invoice_page(pdf, doc: Invoice) -> None:
    amounts = doc.amounts()
    _text(pdf, 15, 15, doc.vendor.name.upper(), 16, bold=True, fit=110)
    _text(pdf, 15, 24, doc.vendor.address, fit=110)
    _text(pdf, 15, 30, f"GSTIN: {doc.vendor.gstin}")
    _text(pdf, 15, 36, f"State: {STATES[doc.vendor.state][0]} ({doc.vendor.state})")
    _text(pdf, 140, 15, "TAX INVOICE", 14, bold=True)
    if doc.number:
        _text(pdf, 130, 26, f"Invoice No: {doc.number}")
    _text(pdf, 130, 32, f"Invoice Date: {doc.issued.strftime('%d/%m/%Y')}")
    _text(pdf, 15, 48, "Bill To:", bold=True)
    _text(pdf, 15, 54, doc.buyer.name, fit=180)
    _text(pdf, 15, 60, doc.buyer.address, fit=180)
    _text(pdf, 15, 66, f"Buyer GSTIN: {doc.buyer.gstin}")
    y = 80
    columns = [(15, 10, "No", "L"), (27, 88, "Description", "L"), (115, 20, "Qty", "R"), (137, 28, "Rate", "R"), (167, 28, "Amount", "R")]
    for x, w, title, align in columns:
        _text(pdf, x, y, title, bold=True, align=align, width=w)
    pdf.line(15, y + 7, 195, y + 7)
    for i, (description, quantity, price) in enumerate(doc.items, 1):
        y += 8
        for (x, w, _, align), value in zip(columns, [str(i), description, f"{quantity:g}", _money(price), _money(quantity * price)]):
            _text(pdf, x, y, value, align=align, width=w)
    y += 10
    pdf.line(115, y, 195, y)
    summary = [("Sub Total", amounts["subtotal"])]
    summary += [(f"{t['type']} @ {t['rate']:g}%", t["amount"]) for t in amounts["taxes"]]
    summary += [("Total (INR)", amounts["total"])]
    for label, value in summary:
        y += 7
        _text(pdf, 115, y, label, bold=label.startswith("Total"), width=50)
        _text(pdf, 167, y, _money(value), bold=label.startswith("Total"), align="R", width=28)
    _text(pdf, 15, y + 16, "Amount chargeable includes GST. Goods once sold will not be taken back.", 8)
    _text(pdf, 140, y + 30, f"For {doc.vendor.name}", 9)
    _text(pdf, 140, y + 42, "Authorised Signatory", 9)


def _certificate_page(pdf, doc: Certificate) -> None:
    _text(pdf, 55, 15, "Government of India", 12, bold=True)
    _text(pdf, 50, 22, "Form GST REG-06", 11)
    _text(pdf, 45, 29, "Registration Certificate", 14, bold=True)
    rows = [("Registration Number", doc.holder.gstin), ("1. Legal Name", doc.holder.name), ("2. Trade Name, if any", doc.trade_name),
            ("3. Constitution of Business", "Proprietorship"), ("4. Address of Principal Place of Business", doc.holder.address),
            ("5. Date of Liability", doc.valid_from.strftime("%d/%m/%Y")),
            ("6. Period of Validity From", doc.valid_from.strftime("%d/%m/%Y")),
            ("   Period of Validity To", doc.valid_to.strftime("%d/%m/%Y") if doc.valid_to else "Not Applicable"),
            ("7. Type of Registration", "Regular")]
    y = 45
    for label, value in rows:
        _text(pdf, 15, y, label, bold=True)
        _text(pdf, 95, y, value, fit=100)
        y += 9
    _text(pdf, 15, y + 10, "Approving Authority: Goods and Services Tax Network", 9)


def scan(pdf_bytes: bytes, seed: int, rotate: float | None = None, contrast: float = 0.7, dpi: int = 200) -> bytes:
    """The page printed and scanned: rasterised (pdftoppm), turned a little, faded, speckled, JPEG."""
    from PIL import Image, ImageEnhance, ImageFilter

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "page.pdf"
        source.write_bytes(pdf_bytes)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(source), str(Path(work) / "page")],
                       check=True, capture_output=True)
        image = Image.open(Path(work) / "page.png").convert("L")
    angle = rotate if rotate is not None else rng.uniform(-1.5, 1.5)
    image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    image = ImageEnhance.Contrast(image).enhance(contrast)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    pixels = image.load()
    for _ in range(image.width * image.height // 2500):  # speckle
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((40, 90, 200))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def write(out_dir: Path, seed: int = 7) -> list[Path]:
    """Every document as a digital PDF, and a scanned copy of the valid ones (JPEG) and of one broken one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, doc in enumerate(documents(seed)):
        pdf = render_pdf(doc)
        facts = truth(doc)
        (out_dir / f"{doc.name}.pdf").write_bytes(pdf)
        (out_dir / f"{doc.name}.truth.json").write_text(json.dumps({**facts, "source": "digital_pdf"}, indent=2))
        written.append(out_dir / f"{doc.name}.pdf")
        if doc.broken in (None, "wrong_check_digit", "totals_mismatch"):
            (out_dir / f"{doc.name}-scan.jpg").write_bytes(scan(pdf, seed * 1000 + i))
            # A scan may be partly illegible: asking a person to review it is then the right answer too.
            (out_dir / f"{doc.name}-scan.truth.json").write_text(json.dumps(
                {**facts, "source": "scan", "acceptable_statuses": [facts["expected_status"], "needs_review"]}, indent=2))
            written.append(out_dir / f"{doc.name}-scan.jpg")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for path in write(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
