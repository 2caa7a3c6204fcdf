"""Fields of invoices, GST certificates and receipts from Textract's answers.

Invoices and receipts are read with AnalyzeExpense (SummaryFields in Textract's vocabulary,
LineItemGroups, and the page's LINE blocks); certificates with AnalyzeDocument (FORMS: KEY_VALUE_SET
blocks, and LINE blocks). Textract names the common fields (vendor, invoice number and date,
subtotal, taxes, total); what is particular to Indian GST documents (GSTINs, CGST/SGST/IGST with
their rates, validity dates) is read from labelled values and, where no label is found, from the
text of the page. Every field keeps its confidence (0..1) and where on the page it came from.

Standard library only: this runs in Lambda functions.
"""

import re
from statistics import mean
from typing import Any

from . import gstin
from .invoices import currency_of, parse_money, sums_to
from .invoices import tax_id as invoice_tax_id
from .layout import INLINE_LABEL
from .receipts import Field, extract_receipt, parse_cell_amount, parse_date
from .textract import Box, Line, lines_from_blocks

_GSTIN_TOKEN = re.compile(r"\b(\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z][Z2][0-9A-Z])\b")
_TAX_LABEL = re.compile(r"\b(CGST|SGST|UTGST|IGST)\b\s*(?:@|at)?\s*(\d{1,2}(?:\.\d{1,2})?)\s*%?", re.I)
_BUYER = re.compile(r"buyer|customer|recipient|bill(ed)?\s*to|ship(ped)?\s*to|consignee", re.I)
_DOC_TITLE = re.compile(r"\s*\b(TAX\s+INVOICE|INVOICE|BILL\s+OF\s+SUPPLY|RECEIPT)\b\s*", re.I)
ILLEGIBLE = 60.0  # a line read with less confidence (0..100) may hide a field
_CURRENCY = re.compile(r"₹|\bINR\b|\bRs\.?\b", re.I)


def _box(detection: dict[str, Any]) -> Box | None:
    geometry = detection.get("Geometry", {}).get("BoundingBox")
    return Box(**{k.lower(): float(v) for k, v in geometry.items()}) if geometry else None


def _field(value: Any, detection: dict[str, Any], page: int = 1, certainty: float = 1.0) -> Field:
    return Field(value=value, confidence=float(detection.get("Confidence", 0.0)) / 100 * certainty,
                 text=detection.get("Text", ""), box=_box(detection), page=page)


def _line_field(value: Any, line: Line, certainty: float = 1.0) -> Field:
    return Field(value=value, confidence=line.confidence / 100 * certainty, text=line.text, box=line.box, page=line.page)


def _gstin_in(text: str) -> str | None:
    """The GSTIN in a text, OCR confusions undone (a letter read as a digit where only letters go)."""
    compact = re.sub(r"[\s/|.]", "", text.upper())
    match = _GSTIN_TOKEN.search(compact)
    if match:
        return gstin.repair(match.group(1))
    for candidate in re.findall(r"(?=([0-9A-Z]{15}))", compact):
        repaired = gstin.repair(candidate)
        if _GSTIN_TOKEN.fullmatch(repaired):
            return repaired
    return None


def _month_first(lines: list[Line]) -> bool:
    """Whether the document writes slashed dates month-first: as its own dates show where one of them
    cannot be read the other way ('11/17/2017'), else as dollar invoices do (02/03/20 is 3 February)."""
    text = "\n".join(line.text for line in lines)
    slashed = [(int(a), int(b)) for a, b in re.findall(r"\b(\d{1,2})/(\d{1,2})/(?:\d{4}|\d{2})\b", text)]
    if any(a > 12 >= b for a, b in slashed):
        return False
    if any(b > 12 >= a for a, b in slashed):
        return True
    return bool(re.search(r"\$|\bUSD\b", text)) and not re.search(r"€|\bEUR\b|₹|\bINR\b|\bRs\b", text)


def invoice_date(text: str, month_first: bool) -> str | None:
    """An invoice's date as printed: dotted dates are day-first, slashed ones month-first on dollar
    invoices and day-first elsewhere (where the day cannot be a month, it says so itself)."""
    from ..ingestion.values import read_date

    match = re.search(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{8}|\d{1,2}\.?\s+[^\W\d_]{3,9}\.?\s+\d{4}|"
                      r"[^\W\d_]{3,9}\.?\s+\d{1,2}\s*,?\s+\d{4}", text)
    if not match:  # '12-Mar-2024', '12 Mar 24' and other forms the receipts' parser knows
        day = parse_date(text, latest_year=2099)
        return day.isoformat() if day else None
    written = match.group(0)
    if re.fullmatch(r"\d{8}", written):
        written = f"{written[:4]}-{written[4:6]}-{written[6:]}"
    order = "month_first" if month_first and "/" in written else "day_first"
    try:
        return read_date(written, order)[0]
    except ValueError:
        day = parse_date(written, latest_year=2099)
        return day.isoformat() if day else None


def reading_confidence(lines: list[Line]) -> float:
    """How well the page was read: the mean line confidence, pulled down by the worst lines (a field
    missing near an illegible line may be there but unread)."""
    if not lines:
        return 0.0
    worst = sorted(line.confidence for line in lines)[: max(1, len(lines) // 10)]
    return round(min(mean(line.confidence for line in lines), mean(worst) + 20) / 100, 3)


def extract_invoice(response: dict[str, Any]) -> dict[str, Any]:
    expense = (response.get("ExpenseDocuments") or [{}])[0]
    lines = lines_from_blocks({"Blocks": expense.get("Blocks", [])})
    fields: dict[str, Field | None] = {}
    taxes: list[dict[str, Any]] = []
    month_first = _month_first(lines)
    for summary in expense.get("SummaryFields", []):
        kind = summary.get("Type", {}).get("Text", "OTHER")
        label = summary.get("LabelDetection", {}).get("Text", "")
        value = summary.get("ValueDetection", {})
        text, page = value.get("Text", ""), int(summary.get("PageNumber", 1))
        if kind == "VENDOR_NAME" and "vendor_name" not in fields:
            name = _DOC_TITLE.sub(" ", text).strip(" ,.-")
            if name:
                fields["vendor_name"] = _field(name, value, page)
        elif kind == "INVOICE_RECEIPT_ID" and "invoice_number" not in fields and _id_in(text):
            fields["invoice_number"] = _field(_id_in(text), value, page)  # not a sentence under a title
        elif kind == "INVOICE_RECEIPT_DATE" and "invoice_date" not in fields:
            day = invoice_date(text, month_first)
            if day:
                fields["invoice_date"] = _field(day, value, page)
        elif kind == "SUBTOTAL" and "subtotal" not in fields:
            amount = parse_cell_amount(text)
            if amount is not None:
                fields["subtotal"] = _field(amount, value, page)
        elif kind == "TOTAL" and "total" not in fields:
            amount = parse_cell_amount(text)
            if amount is not None:
                fields["total"] = _field(amount, value, page)
        elif kind == "TAX":
            match = _TAX_LABEL.search(label) or _TAX_LABEL.search(text)
            amount = parse_cell_amount(text)
            if match and amount is not None:
                taxes.append({"type": match.group(1).upper(), "rate": float(match.group(2)), "amount": amount,
                              "confidence": round(float(value.get("Confidence", 0)) / 100, 3)})
        elif kind in ("OTHER", "RECEIVER_NAME", "VENDOR_GST_NUMBER", "RECEIVER_GST_NUMBER"):
            number = _gstin_in(text) if re.search(r"GST|REG", label + kind, re.I) else None
            if number:
                key = "buyer_gstin" if _BUYER.search(label) or kind.startswith("RECEIVER") else "vendor_gstin"
                fields.setdefault(key, _field(number, value, page))
    references = _generic_fields(expense.get("SummaryFields", []), lines, fields, month_first)
    _from_lines(lines, fields)
    items = []
    for group in expense.get("LineItemGroups", []):
        for item in group.get("LineItems", []):
            cells = {c["Type"]["Text"]: c.get("ValueDetection", {}) for c in item.get("LineItemExpenseFields", [])}
            price_text = cells.get("PRICE", {}).get("Text", "")
            amount = parse_cell_amount(price_text) if not re.search(r"\d,\d{2}$", price_text.strip()) else parse_money(price_text)
            if amount is None:
                continue
            quantity = _number(cells.get("QUANTITY", {}).get("Text"))
            items.append({"description": re.sub(r"^\d{1,3}[.)]?\s+", "", cells.get("ITEM", {}).get("Text", "")).strip(),
                          "quantity": quantity, "unit_price": parse_cell_amount(cells.get("UNIT_PRICE", {}).get("Text", "")),
                          "amount": amount,
                          "confidence": round(min(float(c.get("Confidence", 0)) for c in cells.values()) / 100, 3)})
    _reconcile(fields, items)
    regime = tax_regime(fields, taxes, lines)
    if regime != "in_gst":  # a 15-character code in a German or US invoice is not a GSTIN
        fields.pop("vendor_gstin", None)
        fields.pop("buyer_gstin", None)
    return _document("invoice", fields, lines, response, taxes=taxes, line_items=items, reference_numbers=references,
                     tax_regime=regime)


_GST_WORDS = re.compile(r"\bGSTIN\b|\bCGST\b|\bSGST\b|\bIGST\b|\bUTGST\b|\bGST\b", re.I)
_VAT_WORDS = re.compile(r"\b(VAT|USt|MwSt|Umsatzsteuer|TVA|BTW|IVA)\b", re.I)


def tax_regime(fields: dict[str, Field | None], taxes: list[dict[str, Any]], lines: list[Line]) -> str:
    """Which tax law the invoice is under, so only its rules are applied: Indian GST (GST taxes or a
    GSTIN named as such), EU VAT (a seller's EU VAT id, or VAT charged in euros), or none."""
    text = "\n".join(line.text for line in lines)
    currency = fields.get("currency")
    if taxes or _GST_WORDS.search(text) or (currency is not None and currency.value == "INR"):
        return "in_gst"
    scheme = fields.get("vendor_tax_scheme")
    currency = fields.get("currency")
    if (scheme is not None and scheme.value == "eu_vat") or (
            _VAT_WORDS.search(text) and currency is not None and currency.value in ("EUR", "GBP", "CHF")):
        return "eu_vat"
    return "none"


# A TOTAL's label, strongest first: an invoice may print several totals (a table's, the gross, the net).
_TOTAL_RANK = [re.compile(p, re.I) for p in (
    r"gross\s*totals?|grand\s*total|invoice\s+total|rechnungssumme\s+brutto|bruttosumme|total\s+ttc|montant(\s+eur)?\s+ttc|gesamtbetrag|"
    r"rechnungsbetrag|total\s+amount|total\s+incl", r"^totals?\b|totaal|gesamtsumme|endbetrag", r"gross\s+amount", r".")]
_DUE = re.compile(r"due|payable|net\s+amount|zahlbetrag|[àa]\s+payer", re.I)  # after commissions or prepayments: not the total


def _rank(label: str) -> int:
    if _DUE.search(label):
        return len(_TOTAL_RANK)
    return next((i for i, pattern in enumerate(_TOTAL_RANK) if pattern.search(label)), len(_TOTAL_RANK) - 1)


def _generic_fields(summaries: list[dict[str, Any]], lines: list[Line], fields: dict[str, Field | None],
                    us_dates: bool) -> list[dict[str, Any]]:
    """What any invoice names, from SummaryFields in Textract's vocabulary (real Textract's, or the local
    stand-in's lexicon): fields the GST reading above left empty, the tax total, the amount due, tax ids,
    the parties from their blocks, and every other labelled id as a reference number."""
    references: list[dict[str, Any]] = []
    totals: list[tuple[int, int, Field]] = []
    nets: list[Field] = []
    tax_amounts: list[Field] = []
    tax_is_summed = False  # the tax total came from a 'Tax Total' label, not a rate's row
    text = "\n".join(line.text for line in lines)
    for order, summary in enumerate(summaries):
        kind = summary.get("Type", {}).get("Text", "OTHER")
        label = summary.get("LabelDetection", {}).get("Text", "")
        value = summary.get("ValueDetection", {})
        raw, page = value.get("Text", "").strip(), int(summary.get("PageNumber", 1))
        if not raw:
            continue
        if kind == "VENDOR_NAME" and label:  # a seller's block names the seller better than the letterhead guess
            if "vendor_name_block" not in fields and not _label_like(raw):
                fields["vendor_name_block"] = _field(raw, value, page)
        elif kind == "RECEIVER_NAME" and "buyer_name" not in fields and not re.fullmatch(r"[\d\W]+", raw) and not _label_like(raw):
            fields["buyer_name"] = _field(raw, value, page)
        elif kind == "INVOICE_RECEIPT_ID":
            number = _id_in(raw)
            if number:
                if "invoice_number" not in fields or label.startswith("title "):  # the title line names it best
                    fields["invoice_number"] = _field(number, value, page, 0.9)
                references.append({"label": label or kind, "value": number})
        elif kind == "INVOICE_RECEIPT_DATE" and ("invoice_date" not in fields or label.startswith("title ")):
            day = invoice_date(raw, us_dates)
            if day:
                fields["invoice_date"] = _field(day, value, page, 0.9)
        elif kind == "DUE_DATE" and "due_date" not in fields:
            day = invoice_date(raw, us_dates)
            if day:
                fields["due_date"] = _field(day, value, page, 0.9)
        elif kind in ("SUBTOTAL", "TOTAL", "AMOUNT_DUE", "TAX"):
            amount = parse_money(raw)
            amount = amount if amount is not None else parse_cell_amount(raw)
            if amount is None:
                continue
            if kind == "SUBTOTAL":
                if not label.startswith("tax base"):  # a rate's base is the net only when the arithmetic says so
                    fields.setdefault("subtotal", _field(amount, value, page))
                nets.append(_field(amount, value, page))
            elif kind == "AMOUNT_DUE":
                fields.setdefault("amount_due", _field(amount, value, page))
            elif kind == "TOTAL":
                totals.append((_rank(label), order, _field(amount, value, page)))
            elif not _TAX_LABEL.search(label) and not re.search(r"%", raw):
                if "tax_total" not in fields or (_SUMMED.search(label) and not tax_is_summed):
                    fields["tax_total"] = _field(amount, value, page)  # 'Tax Total' over a rate's row
                    tax_is_summed = bool(_SUMMED.search(label))
                tax_amounts.append(_field(amount, value, page))
        elif kind in ("VENDOR_VAT_NUMBER", "TAX_PAYER_ID"):
            found = invoice_tax_id(raw)
            if found and "vendor_tax_id" not in fields:
                fields["vendor_tax_id"] = _field(found[1], value, page)
                fields["vendor_tax_scheme"] = _field(found[0], value, page)
        elif kind in ("PO_NUMBER", "CUSTOMER_NUMBER") and _id_in(raw):
            references.append({"label": label or kind, "value": _id_in(raw)})
        elif kind == "CURRENCY" and "currency" not in fields:
            code = re.search(r"\b[A-Z]{3}\b", raw)
            if code:
                fields["currency"] = _field(code.group(0), value, page)
    if "invoice_date" not in fields:  # a letter's date, on its own at the top ('24. Januar 2014')
        for line in lines:
            if line.page == 1 and line.box.top < 0.5 and _LETTER_DATE.fullmatch(line.text.strip()):
                day = invoice_date(line.text, us_dates)
                if day:
                    fields["invoice_date"] = _line_field(day, line, 0.7)
                    break
    if "vendor_name_block" in fields:
        fields["vendor_name"] = fields.pop("vendor_name_block")
    for party in ("vendor_name", "buyer_name"):  # 'QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen': the name
        found = fields.get(party)
        if found is not None and (short := re.split(r"\s+[-|–]\s+(?=.*\d)", str(found.value), maxsplit=1)[0]) != found.value:
            fields[party] = Field(short, found.confidence, found.text, found.box, found.page)
    if totals:
        fields["total"] = min(totals, key=lambda t: (t[0], -t[1]))[2]  # the strongest label, the last printed
    elif "total" not in fields and fields.get("amount_due") is not None:  # what is owed, when no total is printed
        due = fields["amount_due"]
        fields["total"] = Field(due.value, due.confidence * 0.9, due.text, due.box, due.page)
    fields["_total_candidates"] = totals  # type: ignore[assignment]  (for _reconcile)
    fields["_net_tax_candidates"] = (nets, tax_amounts)  # type: ignore[assignment]
    if "vendor_tax_id" not in fields:
        for line in lines:
            found = invoice_tax_id(line.text)
            if found and found[0] == "eu_vat":
                fields["vendor_tax_id"] = _line_field(found[1], line, 0.8)
                fields["vendor_tax_scheme"] = _line_field(found[0], line, 0.8)
                break
    if "currency" not in fields:
        code = currency_of(text)
        if code:
            fields["currency"] = Field(code, 0.8, code, None, 1)
    return references


_SUMMED = re.compile(r"total|gesamt|summe|\bsum\b", re.I)
_LETTER_DATE = re.compile(r"(?:[A-Za-zÄÖÜäöüß.\- ]+,\s*)?(\d{1,2}\.\s*[^\W\d_]{3,9}\.?\s+\d{4}|\d{1,2}\.\d{1,2}\.\d{4})")


# Column headings of order forms that sit where a party's name is expected ('Advertiser | Start/End').
_HEADING = re.compile(r"(start\s*/\s*end|original|duplicate|copy|terms|product|brand|estimate|"
                      r"(agency|advertiser|buyer|customer|client)\s+(ref|code|name|id|number|#))\s*:?", re.I)


def _label_like(text: str) -> bool:
    return bool(re.search(r"\b(name|address|contact|phone|tel|fax|e-?mail)\s*:?\s*$", text, re.I)) or bool(
        re.fullmatch(r"[\s()\d+\-./]+", text)) or bool(_HEADING.fullmatch(text.strip()))


def _id_in(text: str) -> str | None:
    """The identifier a labelled value starts with: its first token holding a digit ('950658-1',
    'INV/26/0042'), not a date or a sentence."""
    token = text.replace("‐", "-").replace("‑", "-").split()[0] if text.split() else ""
    if re.fullmatch(r"[A-Za-z0-9][\w\-/.#]*\d[\w\-/.]*", token) and not re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", token):
        return token.strip(".#")
    return None


def _reconcile(fields: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """Among several printed totals, the one that net + tax makes; the confidence says when the
    arithmetic agrees."""
    totals = fields.pop("_total_candidates", [])
    nets, tax_amounts = fields.pop("_net_tax_candidates", ([], []))
    total = fields.get("total")
    if total is not None and not _adds_up(fields.get("subtotal"), fields.get("tax_total"), total):
        # The first net and tax printed do not make the total: the pair of candidates that does.
        pair = next(((n, t) for n in nets for t in tax_amounts if _adds_up(n, t, total)), None)
        if pair:
            fields["subtotal"], fields["tax_total"] = pair
    net, tax = fields.get("subtotal"), fields.get("tax_total")
    if net is not None and tax is not None and totals:
        agreeing = [t for t in totals if sums_to([net.value, tax.value], t[2].value)]
        if agreeing:
            best = min(agreeing, key=lambda t: (t[0], -t[1]))[2]
            fields["total"] = Field(best.value, min(1.0, best.confidence + 0.05), best.text, best.box, best.page)


def _adds_up(net: Field | None, tax: Field | None, total: Field) -> bool:
    return net is not None and tax is not None and sums_to([net.value, tax.value], total.value)


def _number(text: str | None) -> float | None:
    try:
        return float(text.replace(",", "")) if text else None
    except ValueError:
        return None


def _from_lines(lines: list[Line], fields: dict[str, Field | None]) -> None:
    """What the labelled values did not give: GSTINs, the buyer, the vendor's address, the currency."""
    bill_to = next((i for i, line in enumerate(lines) if _BUYER.search(line.text)), None)
    for i, line in enumerate(lines):
        number = _gstin_in(line.text)
        if number:
            buyer_side = _BUYER.search(line.text) or (bill_to is not None and i > bill_to)
            fields.setdefault("buyer_gstin" if buyer_side else "vendor_gstin", _line_field(number, line, 0.95))
    if "vendor_name" not in fields and lines:
        name = _DOC_TITLE.sub(" ", lines[0].text).strip(" ,.-")
        if name:
            fields["vendor_name"] = _line_field(name, lines[0], 0.8)
    if "vendor_address" not in fields and len(lines) > 1:
        # The lines between the vendor's name and its GSTIN or the document's details.
        address = []
        for line in lines[1:6]:
            # A right-hand column read into the same line ('..., Delhi 110001 Invoice No: X') is cut off.
            text = line.text[: label.start()] if (label := INLINE_LABEL.search(line.text)) and label.start() > 0 else line.text
            if re.search(r"GSTIN|GST|Invoice|Date|State|Bill|Phone|Tel|Email", text, re.I) or line.box.left > 0.45:
                if address:
                    break
                continue
            address.append(Line(text.strip(), line.confidence, line.box, line.page))
        if address:
            fields["vendor_address"] = Field(", ".join(a.text.strip(" ,") for a in address), min(a.confidence for a in address) / 100 * 0.9,
                                             " | ".join(a.text for a in address), address[0].box, address[0].page)
    if "buyer_name" not in fields and bill_to is not None:
        label = lines[bill_to]
        rest = re.split(r"(?i)bill(?:ed)?\s*to\s*:?", label.text, maxsplit=1)[-1].strip()
        below = lines[bill_to + 1].text.strip() if bill_to + 1 < len(lines) else ""
        if rest and not _gstin_in(rest) and not _label_like(rest):
            fields["buyer_name"] = _line_field(rest, label, 0.9)
        elif below and not _label_like(below):  # a label read as a value ('Buyer Name') is no buyer
            fields["buyer_name"] = _line_field(below, lines[bill_to + 1], 0.9)
    if "currency" not in fields:
        marked = next((line for line in lines if _CURRENCY.search(line.text)), None)
        if marked:
            fields["currency"] = _line_field("INR", marked, 0.95)


_CERTIFICATE_LABELS = {
    "gstin": re.compile(r"registration\s*(number|no)|gstin", re.I),
    "holder_name": re.compile(r"legal\s*name", re.I),
    "trade_name": re.compile(r"trade\s*name", re.I),
    "address": re.compile(r"address", re.I),
    "valid_from": re.compile(r"validity\s*from|valid\s*from", re.I),
    "valid_to": re.compile(r"validity\s*to|valid\s*(to|upto|till)", re.I),
}


def extract_certificate(response: dict[str, Any]) -> dict[str, Any]:
    """A GST registration certificate: each label's value from FORMS pairs or from the label's row."""
    blocks = response.get("Blocks", [])
    lines = lines_from_blocks({"Blocks": blocks})
    # FORMS pairs first; then each line, whose value follows its label when both were read as one line.
    pairs = _key_values(blocks) + [(line.text, "", line) for line in lines]
    fields: dict[str, Field | None] = {}
    for label, value, source in pairs:
        for name, pattern in _CERTIFICATE_LABELS.items():
            if name in fields or not pattern.search(label):
                continue
            if not value:  # a label and its value read as one line: the value follows the label
                match = pattern.search(label)
                value = label[match.end():].strip(" :,-")
                value = re.sub(r"^(if\s*any|of\s*principal\s*place\s*of\s*business)\s*", "", value, flags=re.I)
            if not value:
                continue
            if name == "gstin":
                value = _gstin_in(value) or value.strip()
            elif name in ("valid_from", "valid_to"):
                if re.search(r"not\s*applicable|N/?A\b", value, re.I):
                    fields[name] = None
                    continue
                day = parse_date(value, latest_year=2099)
                if not day:
                    continue
                value = day.isoformat()
            fields[name] = Field(value, source.confidence / 100, source.text, source.box, source.page)
            break
    return _document("gst_certificate", fields, lines, response)


def _key_values(blocks: list[dict[str, Any]]) -> list[tuple[str, str, Line]]:
    """(key text, value text, a Line standing for where the value is) from FORMS KEY_VALUE_SET blocks."""
    by_id = {b["Id"]: b for b in blocks}
    out = []
    for block in blocks:
        if block.get("BlockType") != "KEY_VALUE_SET" or "KEY" not in block.get("EntityTypes", []):
            continue
        value_ids = [i for r in block.get("Relationships", []) if r["Type"] == "VALUE" for i in r["Ids"]]
        value = by_id.get(value_ids[0]) if value_ids else None
        if value is None:
            continue
        text = value.get("Text") or _child_text(value, by_id)
        box = _box(value) or Box(0, 0, 0, 0)
        out.append((block.get("Text") or _child_text(block, by_id), text,
                    Line(text, float(value.get("Confidence", 0)), box, int(value.get("Page", 1)))))
    return out


def _child_text(block: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str:
    """Textract puts a KEY's or VALUE's words in CHILD WORD blocks."""
    ids = [i for r in block.get("Relationships", []) if r["Type"] == "CHILD" for i in r["Ids"]]
    return " ".join(by_id[i].get("Text", "") for i in ids if i in by_id)


def extract_receipt_document(response: dict[str, Any]) -> dict[str, Any]:
    expense = (response.get("ExpenseDocuments") or [{}])[0]
    blocks = expense.get("Blocks") or response.get("Blocks", [])
    lines = lines_from_blocks({"Blocks": blocks})
    return _document("receipt", extract_receipt(lines), lines, response)


def _document(doc_type: str, fields: dict[str, Field | None], lines: list[Line], response: dict[str, Any],
              **extra: Any) -> dict[str, Any]:
    return {
        "doc_type": doc_type,
        "pages": int(response.get("DocumentMetadata", {}).get("Pages", 1)),
        "reading_confidence": reading_confidence(lines),
        "illegible_lines": sum(1 for line in lines if line.confidence < ILLEGIBLE),
        "fields": {name: field.to_json() for name, field in fields.items() if field is not None},
        **extra,
        "text": "\n".join(line.text for line in lines),
    }


EXTRACTORS = {"invoice": extract_invoice, "gst_certificate": extract_certificate, "receipt": extract_receipt_document}
