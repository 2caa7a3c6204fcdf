"""Invoices as they come: labelled values found on a page whatever the layout and language, named in
Textract's AnalyzeExpense vocabulary, and the parsers the extraction reads them with.

The local Textract stand-in answers AnalyzeExpense with `expense_fields(lines)`; the extraction reads
those SummaryFields the same way as real Textract's (`INVOICE_RECEIPT_ID`, `INVOICE_RECEIPT_DATE`,
`VENDOR_NAME`, `RECEIVER_NAME`, `SUBTOTAL`, `TAX`, `TOTAL`, `AMOUNT_DUE`, `VENDOR_VAT_NUMBER`,
`PO_NUMBER`, ...). A label's value is on its line after it, in the next cell to the right on its row,
or below it; party blocks ("Verkäufer", "Bill to") name the seller and the buyer. Standard library only.
"""

import re
from dataclasses import dataclass
from typing import Any

from .layout import Pair
from .textract import Box, Line, rows

# The label lexicon: how invoices in English, German, French, Dutch and Indian English usage name a
# field, and the AnalyzeExpense type it is. Order matters: the first that matches a label wins.
_SEP = r"[\s.\-‐_/]*"
LEXICON: list[tuple[str, str]] = [
    (r"(net\s+amount\s+due|amount\s+due|due\s+payable|balance\s+due|total\s+due|amount\s+payable|zahlbetrag|zu\s+zahlen(der\s+betrag)?|"
     r"f[äa]lliger\s+betrag|net\s+[àa]\s+payer|(somme|montant)\s+[àa]\s+payer|montant\s+d[ûu]|te\s+betalen)", "AMOUNT_DUE"),
    (r"(sub\s*-?\s*total|net\s*total|gesamtbeitrag|nettobeitrag|total\s+net|total\s+excl\.?(\s+vat|\s+tax)?|amount\s+untaxed|taxable\s+(value|amount)|"
     r"rechnungssumme\s+netto|summe\s+netto|gesamt\s*summe\s+netto|nettobetrag|netto\s*summe|gesamt\s+netto|warenwert|"
     r"steuerbasisbetrag|basisbetrag|grondslag|total\s+ht|montant(\s+eur)?\s+ht|total\s+hors\s+taxes?|exclusief\s+btw|subtotaal|"
     r"rechnungssumme\s+ohne\s+ust\.?|summe\s+(exkl|ohne|netto)\.?(\s+ust\.?)?|positionssumme)", "SUBTOTAL"),
    (r"(total\s+(vat|tax)|vat\s+amount|tax\s+amount|steuerbetrag|mwst\.?|ust\.?\s*betrag|umsatzsteuer\s+gesamt|"
     r"summe\s+umsatzsteuer|ust\.?\s+gesamt|zuz[üu]gl\.?\s+ust\.?|versicherungsteuer|umsatzsteuer|"
     r"total\s+tva|montant\s+tva|tva|btw|cgst|sgst|igst|utgst|vat|sales\s+tax|tax)(?![\s.\-‐]*(id|nr|no|number|reg|identn))", "TAX"),
    (r"(station\s+gross\s+totals?|gross\s*total|grand\s*total|invoice\s+total|summe\s+inkl\.?\s+ust\.?|rechnungsbeitrag|total\s+amount|total\s+incl\.?(\s+vat|\s+tax)?|rechnungssumme\s+brutto|"
     r"bruttosumme|brutto\s*betrag|gesamtbetrag|rechnungsbetrag|gesamtsumme|endbetrag|total\s+ttc|montant(\s+eur)?\s+ttc|factuur\s*totaal|totaal|"
     r"gross\s+amount|totals?)(?!\s*(spots|units|hours|of))", "TOTAL"),
    (rf"(due{_SEP}date|payment{_SEP}due|f[äa]llig(keitsdatum)?|zahlbar\s+bis|[ée]ch[ée]ance|vervaldatum|date\s+limite(\s+de\s+paiement)?)",
     "DUE_DATE"),  # before the invoice date: 'Date limite de paiement' starts with 'date'
    (rf"(invoice{_SEP}date|date{_SEP}of{_SEP}invoice|bill{_SEP}date|issue{_SEP}date|rechnungs{_SEP}datum|belegdatum|"
     rf"date\s+de\s+(la\s+)?facture|date\s+d['’]?[ée]mission|factuur{_SEP}datum|beleg{_SEP}datum|datum|date)", "INVOICE_RECEIPT_DATE"),
    (rf"(invoice{_SEP}(no|nr|number|num|#|id)|invoice(?!\s*(date|month|period|to|address|total|amount|summary))|bill{_SEP}(no|number)|receipt{_SEP}(no|number)|rechnungs{_SEP}(nummer|nr)|"
     rf"rechnung{_SEP}nr|facture{_SEP}(n[°o]|num[ée]ro)|n[°o]\s+de\s+facture|num[ée]ro\s+de\s+facture|factuur{_SEP}(nummer|nr)|"
     rf"beleg{_SEP}(nummer|nr)|document{_SEP}(no|number)|inv{_SEP}(#|no)|booking{_SEP}(id|no|number)|"
     rf"factuur(?!\s*(datum|totaal|adres)))", "INVOICE_RECEIPT_ID"),
    (rf"(vat{_SEP}(reg(istration)?{_SEP})?(no|nr|number|id)|ust{_SEP}id{_SEP}(nr)?|ust{_SEP}identnr|umsatzsteuer{_SEP}id(entifikationsnummer)?|"
     rf"n[°o]\s+(de\s+)?tva(\s+intracommunautaire)?|tva\s+intracommunautaire|btw{_SEP}(nummer|nr|id)|gstin|gst{_SEP}(no|number|reg))",
     "VENDOR_VAT_NUMBER"),
    (rf"(steuer{_SEP}(nummer|nr)|tax{_SEP}id|ein|pan)", "TAX_PAYER_ID"),
    (rf"(contract\s*/\s*revision|order\s*/\s*rev(ision)?|purchase{_SEP}order|p{_SEP}o{_SEP}(no|number|#)?|order{_SEP}(no|number|#)|order|bestell{_SEP}(nummer|nr)|"
     rf"auftrags{_SEP}(nummer|nr)|commande|contract{_SEP}(no|number|#)?|alt{_SEP}order{_SEP}#|estimate{_SEP}number|deal{_SEP}#|"
     rf"proposal{_SEP}(no|number|#)?)",
     "PO_NUMBER"),
    (rf"(customer{_SEP}(no|number|id|#)|account{_SEP}(no|number)|kunden{_SEP}(nummer|nr)|num[ée]ro\s+client|klantnummer|"
     rf"client{_SEP}(no|number|id))", "CUSTOMER_NUMBER"),
    (r"(bill(ed)?\s+to|sold\s+to|invoice\s+to|buyer|customer|client|advertiser|k[äa]ufer(/leistungsempf[äa]nger)?|kunde|"
     r"rechnungsempf[äa]nger|leistungsempf[äa]nger|acheteur|destinataire|factur[ée]\s+[àa])", "RECEIVER_NAME"),
    (r"(seller|vendor|supplier|verk[äa]ufer|lieferant|rechnungssteller|rechnungsersteller|fournisseur|vendeur|remit\s+to)",
     "VENDOR_NAME"),
    (r"(currency|w[äa]hrung|devise|betr[äa]ge\s+in)", "CURRENCY"),
]
_LABELS = [(re.compile(rf"^\s*{pattern}(?!\w)\s*[:#.]?\s*", re.I), kind) for pattern, kind in LEXICON]
# A label a party block uses for the party's name on its own row ('Name:'), and words that are not names.
_NAME_LABEL = re.compile(r"^\s*(name|firma|company|raison\s+sociale|nom)\s*:?\s*$", re.I)
_NOT_A_NAME = re.compile(r"^(page\s+\d|seite\s+\d|invoice|rechnung|facture|factuur|duplicate|original|copy|order|beispiel|"
                         r"print\s+date|tax\s+invoice|\d)", re.I)
# A document's title line carrying its number and date.
_TITLE = re.compile(r"(?P<word>rechnung\w*|\w*rechnung|gutschrift|invoice|facture|factuur|credit\s+note|bill)\b.*?"
                    r"(?:\bnr|\bno|n°|#)\.?\s*(?P<id>[A-Z0-9][\w./\-‐]*\d[\w./\-‐]*)\s+(?:vom|von|du|dated|issued\s+at|of)\s+"
                    r"(?P<date>\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.?\s+[^\W\d_]{3,9}\.?\s+\d{4})", re.I)
_TITLE_WRAPPED = re.compile(_TITLE.pattern.split(r"\s+(?:vom")[0] + r"\s+(?:vom|von|du|dated|issued\s+at|of)\s*$", re.I)
MONEY_KINDS = {"TOTAL", "SUBTOTAL", "TAX", "AMOUNT_DUE"}
_AMOUNT_CELL = re.compile(r"[$€£₹]|\d[.,]\d{2}\b")
_TOTAL_ROW = re.compile(r"^\s*(totals?|gesamt|summe|total\s+g[ée]n[ée]ral)\s*:?\s*$", re.I)
# A cell that is itself a label even when it does not start like one ('Original Date / Revision').
_LABEL_WORD = re.compile(r"\b(date|datum|invoice|order|code|ref|revision|number|no\.|#|mode|type)\s*:?\s*$|^(product|brand|terms)\s*:?\s*$", re.I)
# A party's identifiers printed above its name ('GLN 4333741000005 Lief-Nr: 549910').
_IDENTIFIERS = re.compile(r"^(GLN|ILN|GTIN|EAN|DUNS)\b|\b(nr|no|id)\.?\s*:", re.I)
_NOT_A_PARTY = re.compile(r"^[\s()\d+\-./]*$|^\(\d{3}\)", re.I)  # phones, nothing
_LINK_PREFIX = re.compile(r"^.*?\b(?:www\.|https?://)\S+\s*", re.I)
_TRAILING_LABEL = re.compile(r"\s(invoice\s*(#|no\.?|number|date)|order\s*#|date)\s*:?\s*$", re.I)
_COMPANY = re.compile(r"\b(GmbH|AG|KG|Inc|LLC|Ltd|Limited|B\.?V\.?|N\.?V\.?|S\.?A\.?S?|SARL|S\.?r\.?l|Pvt|Co\b|Corp|PLC|e\.K\.|UG)\b")


@dataclass(frozen=True)
class Found(Pair):
    """A labelled value and the AnalyzeExpense type its label names."""

    kind: str = "OTHER"


def _unsplit(text: str) -> str:
    """'F actuurnummer' -> 'Factuurnummer': a text layer that spaced a word's initial from the rest."""
    return re.sub(r"^([A-Z]) ([a-zäöüé]{3,})", r"\1\2", text)


def _label(text: str) -> tuple[str, re.Match] | None:
    text = _unsplit(text)
    for pattern, kind in _LABELS:
        match = pattern.match(text)
        if match and kind in ("RECEIVER_NAME", "VENDOR_NAME") and text[match.end():].strip() and ":" not in match.group(0):
            continue  # 'Lieferant GmbH' is a name, not the label 'Lieferant'
        if match:
            return kind, match
    return None


def _is_label(text: str) -> bool:
    return bool(_label(text)) or text.rstrip().endswith(":") or bool(_NAME_LABEL.match(text))


def expense_fields(lines: list[Line]) -> list[Found]:
    """Every labelled value the lexicon knows, in reading order, and the parties from their blocks."""
    table = rows(lines)
    found: list[Found] = []
    party: tuple[str, Line] | None = None  # a party block being read ('Verkäufer' ... 'Name: X')
    for r, row in enumerate(table):
        for i, line in enumerate(row):
            titled = _TITLE.search(line.text)
            if not titled and (open_title := _TITLE_WRAPPED.search(line.text)) and r + 1 < len(table):
                titled = _TITLE.search(f"{open_title.group(0)} {table[r + 1][0].text}")  # the date on the next row
            if titled:  # 'Baurechnung (204) Nr. 181301674 vom 25.04.2018', 'Invoice # RE-1/508 issued at 2020-11-21'
                for kind, group in (("INVOICE_RECEIPT_ID", "id"), ("INVOICE_RECEIPT_DATE", "date")):
                    found.append(Found(f"title {titled.group('word')}", titled.group(group), line.confidence, line.box, line.box,
                                       line.page, kind=kind))
            if party and _NAME_LABEL.match(line.text):
                value = row[i + 1] if i + 1 < len(row) else None
                if value is not None:
                    found.append(Found(party[1].text, value.text.strip(), value.confidence, party[1].box, value.box, value.page, kind=party[0]))
                    party = None
                continue
            labelled = _label(line.text)
            if not labelled:
                if party and i == 0 and not _is_label(line.text) and not _NOT_A_NAME.match(line.text) and \
                        not _IDENTIFIERS.search(line.text) and line.box.top > party[1].box.top:
                    # A block's first line below its heading is the party's name ('Rechnungsempfänger' / 'Kunden AG').
                    found.append(Found(party[1].text, line.text.strip(), line.confidence, party[1].box, line.box, line.page, kind=party[0]))
                    party = None
                continue
            kind, match = labelled
            rest = _unsplit(line.text)[match.end():].strip(" :#")
            value_line = line
            if rest and kind in ("RECEIVER_NAME", "VENDOR_NAME") and ":" not in match.group(0):
                continue  # 'Lieferant GmbH' is a name, not the label 'Lieferant'
            if kind in ("TOTAL", "SUBTOTAL") and (triple := _net_tax_gross(rest, row[i + 1:])):
                # 'Total facture | 24.99 | 5.00 | 29.99': a totals row whose first two amounts make the third.
                for value, value_kind in zip(triple, ("SUBTOTAL", "TAX", "TOTAL")):
                    found.append(Found(f"{match.group(0).strip(' :#.')} ({value_kind.lower()})", value, line.confidence,
                                       line.box, line.box, line.page, kind=value_kind))
                continue
            if rest and kind in MONEY_KINDS and tax_id(rest):
                continue  # 'TVA : FR11999999998 - SIRET …': an identifier, not an amount
            if rest and kind in MONEY_KINDS and not _AMOUNT_CELL.search(rest):
                rest = ""  # 'Rechnungssumme Netto (excl. USt.) | 198,00', 'Total 59 Spots | $16,675': the amount is elsewhere
            elif rest and kind in MONEY_KINDS and "%" in rest and not _AMOUNT_CELL.search(rest):
                rest = ""  # 'Steuerbasisbetrag USt. 19% | 198,00': a rate, the amount is in the next cell
            if not rest:
                right = row[i + 1] if i + 1 < len(row) else None
                if right is not None and _NAME_LABEL.match(right.text):
                    right = row[i + 2] if i + 2 < len(row) else None
                if kind in MONEY_KINDS:  # past a count ('Grand Total: | 41 | $9,110.00') to the amount, or below
                    amounts = [cell for cell in row[i + 1:] if _AMOUNT_CELL.search(cell.text) and not _label(cell.text)]
                    right = amounts[0] if amounts else None
                    if kind == "SUBTOTAL" and len(amounts) == 2 and "%" in line.text:  # 'Steuerbasisbetrag USt. 19% | 198,00 | 37,62'
                        found.append(Found(line.text.strip(), amounts[1].text.strip(), amounts[1].confidence, line.box,
                                           amounts[1].box, line.page, kind="TAX"))
                    if kind == "TAX" and len(amounts) == 2 and "%" in line.text:  # 'TVA 0% ... | 2,076.76 € | 0.00 €': base, tax
                        found.append(Found(f"tax base {line.text.strip()}", amounts[0].text.strip(), amounts[0].confidence,
                                           line.box, amounts[0].box, line.page, kind="SUBTOTAL"))
                        right = amounts[1]
                below = None
                # A next cell that ends in another label ('POL/Alaska Wilderness League Invoice Date') holds a value before it.
                ends_in_label = right is not None and (cut := _TRAILING_LABEL.search(right.text)) is not None and cut.start() > 0
                if right is not None and not _label(right.text) and (ends_in_label or not _LABEL_WORD.search(right.text)):
                    rest, value_line = right.text.strip(), right
                elif (below := _below(table, r, line, kind)) is not None and not (
                        kind in ("RECEIVER_NAME", "VENDOR_NAME") and (
                            _NOT_A_PARTY.search(_LINK_PREFIX.sub("", below.text)) or _IDENTIFIERS.search(below.text))):
                    rest, value_line = below.text.strip(), below
                elif kind in ("RECEIVER_NAME", "VENDOR_NAME"):
                    party = (kind, line)  # a block: its name is on a 'Name:' row or its first line below
                    continue
            rest = rest.lstrip(" :#").rstrip(" :")  # a trailing '#' may belong to the next label ('... Invoice #')
            if rest and kind in ("RECEIVER_NAME", "VENDOR_NAME"):
                rest = _LINK_PREFIX.sub("", rest).strip()  # 'Sales T & C: www.gray.tv/advertising Cody Johnson'
                if value_line is line:  # 'Advertiser: Tom Steyer for' / 'President 2020' wrapped under the value
                    rest += _continued(table, r, line, match.end() / max(len(line.text), 1))
            if rest:
                # A value that runs into the next cell's label ('POL/Jaime Harrison Invoice #') ends before it.
                cut = _TRAILING_LABEL.search(rest)
                if cut and cut.start() > 0:
                    rest = rest[: cut.start()].strip()
                    trailing, right = _label(cut.group(0).strip()), row[i + 1] if i + 1 < len(row) else None
                    if trailing and right is not None and not _label(right.text):  # that label's value is the next cell
                        found.append(Found(cut.group(0).strip(" :"), right.text.strip(), right.confidence,
                                           line.box, right.box, line.page, kind=trailing[0]))
                found.append(Found(match.group(0).strip(" :#."), rest.rstrip(" #"), min(line.confidence, value_line.confidence),
                                   line.box, value_line.box, line.page, kind=kind))
    return found


def _net_tax_gross(rest: str, right: list[Line]) -> list[str] | None:
    """Three amounts after a totals label where the first two add up to the third, as printed."""
    texts = [rest] if _AMOUNT_CELL.search(rest) else [cell.text for cell in right]  # 'Total facture | 24.99 | ...'
    found = [m.group(0).strip() for t in texts for m in _MONEY.finditer(t) if m.group(3)]  # with cents: amounts, not counts
    values = [parse_money(v) for v in found]
    if len(values) == 3 and None not in values and values[2] and sums_to(values[:2], values[2]):  # type: ignore[arg-type]
        return found
    return None


def _continued(table: list[list[Line]], r: int, line: Line, value_start: float) -> str:
    """The rest of a value wrapped onto the next row, starting where the value starts."""
    x = line.box.left + line.box.width * value_start
    for below in table[r + 1] if r + 1 < len(table) else []:
        if below.page == line.page and abs(below.box.left - x) < 0.012 and not _is_label(below.text) and \
                below.box.top - (line.box.top + line.box.height) < line.box.height:
            return " " + below.text.strip()
    return ""


def _below(table: list[list[Line]], r: int, label: Line, kind: str) -> Line | None:
    """The line under a label, within two rows, overlapping it and aligned with it best; for an
    amount's column header, the column's cell on a 'Total' row further down when the table has one."""
    def under(row: list[Line]) -> Line | None:
        candidates = []
        for line in row:
            overlap = min(label.box.left + label.box.width, line.box.left + line.box.width) - max(label.box.left, line.box.left)
            if line.page == label.page and overlap > 0 and not _is_label(line.text):
                candidates.append(line)
        return min(candidates, key=lambda line: abs(line.box.left - label.box.left)) if candidates else None

    for row in table[r + 1: r + 30] if kind in MONEY_KINDS else []:
        if row and row[0].page == label.page and _TOTAL_ROW.match(row[0].text):
            cell = under(row)
            if cell is not None:
                return cell
    if kind in MONEY_KINDS:  # a column of amounts under the label: its last is the total only if it is their sum
        column: list[Line] = []
        for row in table[r + 1: r + 15]:
            cell = under(row)
            if cell is None:
                continue  # a description wrapped onto its own row
            if not _AMOUNT_CELL.search(cell.text):
                break
            column.append(cell)
        if len(column) >= 2:
            values = [parse_money(cell.text) for cell in column]
            if None not in values and sums_to(values[:-1], values[-1]):  # type: ignore[arg-type]
                return column[-1]  # rows and their total row (one row and its total repeat the amount)
            return None  # an item table's column ('Total' over each line's amount), not one labelled value
    for row in table[r + 1: r + 3]:
        cell = under(row)
        if cell is not None:
            return cell
    return None


# --- values ---------------------------------------------------------------------------------------

_MONEY = re.compile(r"(?<![\w.,])-?\s?(?:[$€£₹]|EUR|USD|GBP|INR|CHF|Rs\.?)?\s?-?"
                    r"(\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:[.,'\u00a0 ]\d{3})+|\d+)(?:([.,])(\d{1,2}))?(?![\d])")  # 1,23,456.00 too


def parse_money(text: str) -> float | None:
    """The first amount in a text, whichever decimal mark it uses ('15.387,08', '$5,625.00', '€ 717,97',
    '1 234,50'): a last separator followed by one or two digits is the decimal mark."""
    text = re.sub(r"[‐‑−–]", "-", text or "")  # typographic minus signs
    for match in _MONEY.finditer(text):
        whole = re.sub(r"[.,'\u00a0 ]", "", match.group(1))
        cents = match.group(3) or ""
        value = float(f"{whole}.{cents}" if cents else whole)
        negative = "-" in text[max(0, match.start() - 2): match.start(1)]
        return -value if negative else value
    return None


_VAT_ID = re.compile(r"\b(ATU\d{8}|BE[01]\d{9}|DE\d{9}|FR[0-9A-HJ-NP-Z]{2}\d{9}|NL\d{9}B\d{2}|IT\d{11}|ES[0-9A-Z]\d{7}[0-9A-Z]|"
                     r"LU\d{8}|DK\d{8}|SE\d{12}|PL\d{10}|CZ\d{8,10}|PT\d{9}|IE\d{7}[A-Z]{1,2}|GB\d{9}|CHE\d{9}(MWST|TVA)?)\b")
GSTIN_ID = re.compile(r"\b\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]\b")
_EIN = re.compile(r"\b\d{2}-\d{7}\b")
PAN_ID = re.compile(r"\b[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]\b")  # India's PAN: the fourth letter is the holder's kind


def sums_to(parts: list[float], total: float) -> bool:
    """Whether printed amounts add up to a printed total, to the cent."""
    return abs(sum(parts) - total) < 0.011


def tax_id(text: str) -> tuple[str, str] | None:
    """(scheme, id) of a tax identifier written in a text, by its own format: EU VAT, GSTIN, EIN, PAN."""
    digits_joined = re.sub(r"(?<=\d)[\s.\-‐](?=\d)", "", text.upper())  # 'DE 136 695 976' -> 'DE 136695976'
    compact = re.sub(r"\b([A-Z]{2,3})\s(?=\d)", r"\1", digits_joined)  # -> 'DE136695976'; 'GSTIN 33…' stays apart
    if match := _VAT_ID.search(compact):
        return "eu_vat", match.group(1)
    if match := GSTIN_ID.search(compact):
        return "gstin", match.group(0)
    if match := _EIN.search(text):
        return "ein", match.group(0)
    if match := PAN_ID.search(compact):
        return "pan", match.group(0)
    return None


def currency_of(text: str) -> str | None:
    for code, pattern in (("EUR", r"€|\bEUR\b"), ("INR", r"₹|\bINR\b|\bRs\.?\s?\d"), ("GBP", r"£|\bGBP\b"), ("CHF", r"\bCHF\b"),
                          ("USD", r"\$|\bUSD\b")):
        if re.search(pattern, text):
            return code
    return None


def vendor_name_from_top(lines: list[Line]) -> Line | None:
    """Without a seller block: the first line on page 1 that reads like a company, else the first that
    is not a page number, a title or a watermark."""
    first_page = [line for line in lines if line.page == 1][:40]
    for line in first_page:
        if _COMPANY.search(line.text) and not _label(line.text) and not _NOT_A_NAME.match(line.text):
            return line
    return next((line for line in first_page if not _NOT_A_NAME.match(line.text) and not _is_label(line.text)), None)


def detection(text: str, confidence: float, box: Box) -> dict[str, Any]:
    return {"Text": text, "Confidence": confidence, "Geometry": {"BoundingBox": box.to_json()}}


def summary_field(pair: Pair, kind: str, type_confidence: float) -> dict[str, Any]:
    """A labelled value as an AnalyzeExpense SummaryField of `kind`."""
    return {"Type": {"Text": kind, "Confidence": type_confidence}, "PageNumber": pair.page,
            "LabelDetection": detection(pair.label, pair.confidence, pair.label_box),
            "ValueDetection": detection(pair.value, pair.confidence, pair.value_box)}
