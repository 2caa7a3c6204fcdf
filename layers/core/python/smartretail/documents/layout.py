"""Layout on a page of OCR lines: label-value pairs and item tables. The local Textract stand-in uses
these to answer AnalyzeExpense in Textract's vocabulary (SummaryFields, LineItemGroups) and
AnalyzeDocument with KEY_VALUE_SET blocks; the extraction reads those answers the same way whether
they came from Textract or from here. Standard library only."""

import re
from dataclasses import dataclass

from .textract import Box, Line, rows

_LABEL_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .()/&,'-]{1,60}?)\s*[:\-]\s+(\S.*)$")
_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+,\d{2}|[\d,]+(\.\d+)?)$")  # 1,234.50 or 1.234,50
_LABEL_AMOUNT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .()/&@%,'-]{1,60}?)\s*:?\s+(-?\d[\d,]*\.\d{2})\s*$")
HEADERS = {  # English, German and French item tables
    "description": re.compile(r"^(DESCRIPTION|ITEM|ITEMS|PARTICULARS|PRODUCT|GOODS|BESCHREIBUNG|ARTIKELBESCHREIBUNG|BEZEICHNUNG|"
                              r"ARTIKEL|LEISTUNG|D[ÉE]SIGNATION|LIBELL[ÉE])\b", re.I),
    "quantity": re.compile(r"^(QTY|QUANTITY|MENGE|ANZAHL|QT[ÉE]|QUANTIT[ÉE])\b", re.I),
    "unit_price": re.compile(r"^(RATE|PRICE|UNIT PRICE|UNIT RATE|NETTOPREIS|EINZELPREIS|PREIS|PRIX UNITAIRE|P\.U\.)", re.I),
    "amount": re.compile(r"^(AMOUNT|AMT|TOTAL|VALUE|NETTOBETRAG|BETRAG|GESAMTPREIS|GESAMT|MONTANT|TOTAL HT)\b", re.I),
    # A tax-rate column: its cells are not the line's amount ('19 %', '19').
    "tax_rate": re.compile(r"^(UST\.?\s*%|MWST|STEUERSATZ|VAT\s*%|TVA\s*%|TAX\s*%)", re.I),
}
_MERGED_ROW = re.compile(r"^(?:\d{1,3}[.)]?\s+)?(?P<description>.+?)\s+(?P<quantity>\d+(?:\.\d+)?)\s+"
                         r"(?P<unit_price>\d[\d,]*\.\d{2})\s+(?P<amount>\d[\d,]*\.\d{2})$")
_TABLE_END = re.compile(r"^(SUB\s*-?\s*TOTAL|TOTAL|TAXABLE|CGST|SGST|IGST|SUMME|ZWISCHENSUMME|RECHNUNGSSUMME|GESAMTBETRAG|"
                        r"UMSATZSTEUER|BELEGSUMMEN|POSITIONSSUMME|NETTOBETRAG|TOTAL\s+HT)\b", re.I)


@dataclass(frozen=True)
class Pair:
    label: str
    value: str
    confidence: float
    label_box: Box
    value_box: Box
    page: int


# The space after the colon is optional: OCR engines drop it ('Invoice No:INV/26/1'); not a URL's '://'.
INLINE_LABEL = re.compile(r"((?:[A-Za-z][A-Za-z.()/&'-]*\s){0,2}[A-Za-z][A-Za-z.()/&'-]*)\s*:(?!//)\s*")


def _inline_pairs(text: str) -> list[tuple[str, str]]:
    """Every 'Label: value' in a line, however many a row holds ('GSTIN: X  Invoice Date: Y')."""
    found = list(INLINE_LABEL.finditer(text))
    pairs = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[match.end():end].strip(" ,;")
        if value:
            pairs.append((match.group(1).strip(), value))
    return pairs


def label_values(lines: list[Line]) -> list[Pair]:
    """'Label: value' written on one line (several on a row as well), a label followed by an amount,
    or a label with its value in a separate cell to the right on the row."""
    pairs = []
    for row in rows(lines):
        used = set()
        for i, line in enumerate(row):
            inline = _inline_pairs(line.text)
            amount = None if inline else _LABEL_AMOUNT.match(line.text)
            for label, value in inline or ([(amount.group(1).strip(), amount.group(2).strip())] if amount else []):
                pairs.append(Pair(label, value, line.confidence, line.box, line.box, line.page))
                used.add(i)
        # A row of exactly two parts, the second a number: a label and its amount (totals, taxes).
        rest = [line for i, line in enumerate(row) if i not in used]
        far_apart = len(rest) == 2 and rest[1].box.left - (rest[0].box.left + rest[0].box.width) > 0.02
        if len(rest) == 2 and not _NUMBER.match(rest[0].text.replace(" ", "")) and (
                far_apart or _NUMBER.match(rest[1].text.replace(" ", ""))):
            label, value = rest
            pairs.append(Pair(label.text.strip().rstrip(":"), value.text.strip(), min(label.confidence, value.confidence),
                              label.box, value.box, label.page))
    return pairs


@dataclass(frozen=True)
class TableRow:
    cells: dict[str, tuple[str, float, Box]]  # column -> (text, confidence, box)
    page: int


def item_table(lines: list[Line]) -> list[TableRow]:
    """Rows of the item table: under a header naming a description (or quantity) and an amount
    column, until the totals start. A row read as one line is split by the numbers at its end; a row
    read as separate cells goes cell by cell to the nearest header column."""
    grouped = rows(lines)
    for start, row in enumerate(grouped):
        header = " ".join(line.text for line in row)
        names = {name for name, pattern in HEADERS.items() if any(pattern.match(w) for w in _words_and_pairs(header))}
        if "amount" not in names or not names & {"description", "quantity"}:
            continue
        columns = {}
        for line in row:
            for name, pattern in HEADERS.items():
                if pattern.match(line.text.strip()) and name not in columns:
                    columns[name] = line.box
        found: list[TableRow] = []
        described: dict[str, tuple[str, float, Box]] | None = None  # a description whose amounts are on the next row
        for body in grouped[start + 1:]:
            text = " ".join(line.text for line in body).strip(" .:;,'\"*_~-")
            if _TABLE_END.match(text):
                break
            merged = _MERGED_ROW.match(text)
            if merged:
                confidence = min(line.confidence for line in body)
                box = body[0].box
                found.append(TableRow({name: (merged.group(name), confidence, box)
                                        for name in ("description", "quantity", "unit_price", "amount") if merged.group(name)},
                                       body[0].page))
                continue
            if "amount" not in columns:
                continue
            cells = _by_column(body, columns)
            if "amount" in cells and _NUMBER.match(cells["amount"][0].replace(" ", "")):
                if "description" not in cells and described is not None:
                    cells = {**described, **cells}
                found.append(TableRow(cells, body[0].page))
                described = None
            else:
                described = {k: v for k, v in cells.items() if k == "description"} or None
        return found
    return []


def _words_and_pairs(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


# A decimal point read as a colon or semicolon ('3,360:00', seen on monospace scans), in a cell that is
# nothing but the number; elsewhere 12:30 is a time.
_POINT_MISREAD = re.compile(r"^(-?[\d,]*\d)[:;](\d{2})$")


def _by_column(body: list[Line], columns: dict[str, Box]) -> dict[str, tuple[str, float, Box]]:
    """Right-aligned numbers end near their header's right edge; text starts near its left edge."""
    cells: dict[str, tuple[str, float, Box]] = {}
    for line in body:
        text = _POINT_MISREAD.sub(r"\1.\2", line.text.strip())
        numeric = bool(_NUMBER.match(text.replace(" ", "")))

        def distance(name: str) -> float:
            head = columns[name]
            if numeric:
                return abs((line.box.left + line.box.width) - (head.left + head.width))
            return abs(line.box.left - head.left)

        name = min(columns, key=distance)
        text = f"{cells[name][0]} {text}" if name in cells else text
        cells[name] = (text, min(line.confidence, cells.get(name, ("", 100.0, line.box))[1]), line.box)
    return cells
