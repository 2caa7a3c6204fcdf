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


# Column headers of item tables in English, German and French; a header may be printed over several rows.
HEADERS = {
    "description": re.compile(r"^(DESCRIPTION|ITEMS?|PARTICULARS|PRODUCTS?|PRODUKT|GOODS|SERVICES?|(ARTIKEL)?BESCHREIBUNG|"
                              r"(ARTIKEL)?BEZEICHNUNG|ARTIKEL|LEISTUNG|D[ÉE]SIGNATION|LIBELL[ÉE])\b", re.I),
    "quantity": re.compile(r"^(QTY|QUANTITY|MENGE|ANZAHL|QT[ÉE]|QUANTIT[ÉE])\b", re.I),
    "unit_price": re.compile(r"^(RATE|PRICE|UNIT PRICE|UNIT RATE|NETTOPREIS|EINZELPREIS|EINZEL|PREIS|PRIX UNITAIRE|P\.U\.)", re.I),
    "amount": re.compile(r"^(AMOUNT|AMT|TOTAL|LINE TOTAL|VALUE|NETTOBETRAG|NETTOWERT|POSITIONSBETRAG|BETRAG|ENTGELT|"
                         r"GESAMTBETRAG|GESAMTPREIS|GESAMT|SUMME|MONTANT|TOTAL HT)\b", re.I),
    # A tax-rate column: its cells are not the line's amount ('19 %', '7%').
    "tax_rate": re.compile(r"^(UST|MWST|STEUERSATZ|VAT|TVA|TAX\s*%|GST\s*%)", re.I),
}
_NUMERIC_COLUMNS = ("quantity", "unit_price", "amount", "tax_rate")
COLUMN_REACH = 0.06  # a figure further than this (share of the page width) from every numeric header is in no column
# Where the item rows stop: the totals, the tax breakdown, invoice-level discounts.
_TABLE_END = re.compile(r"^(SUB\s*-?\s*TOTAL|TOTAL|NET\s+TOTAL|TAXABLE|CGST|SGST|IGST|SUMME|ZWISCHENSUMME|RECHNUNGSSUMME|"
                        r"GESAMTBETRAG|GESAMTBEITRAG|UMSATZSTEUER|STEUERAUFSCHL|BELEGSUMMEN|POSITIONSSUMME|NETTOBETRAG|WARENWERT|"
                        r"RECHNUNGSRABATT|TOTAL\s+HT|MONTANT\s+HT)", re.I)
# A line's amount: two decimals, either decimal mark ('1.000,00', '-5,00', '160.00').
_MONEY = re.compile(r"^[-‐‑−–]?(?:\d{1,3}(?:[.,'\u00a0]\d{3})+|\d+)[.,]\d{2}$")
_QUANTITY = re.compile(r"^[-‐‑−–]?\d+(?:[.,]\d+)?[^\W\d_]{0,3}\.?$")  # '20', '6,5', '10Stk'; a unit may follow
_MARKS = "€$£₹*"
# A discount printed under its item ('abzgl. 16,7% Rabatt -2,00'): it reduces that item's amount.
_DISCOUNT = re.compile(r"^(abzgl|abz|less|minus|discount|rabatt|nachlass|remise)\b", re.I)
# A decimal point read as a colon or semicolon ('3,360:00', seen on monospace scans); elsewhere 12:30 is a time.
_POINT_MISREAD = re.compile(r"^(-?[\d,]*\d)[:;](\d{2})$")


@dataclass(frozen=True)
class _Token:
    text: str
    left: float
    right: float
    line: Line

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2

    @property
    def box(self) -> Box:
        return Box(self.left, self.line.box.top, self.right - self.left, self.line.box.height)

    @property
    def bare(self) -> str:
        return _POINT_MISREAD.sub(r"\1.\2", self.text.strip(_MARKS + ",;:()"))


def _tokens(row: list[Line]) -> list[_Token]:
    """The words of a row, each placed by its characters' share of its line's box: a text layer or
    an OCR engine may read several columns as one line."""
    out = []
    for line in row:
        size = max(len(line.text), 1)
        for word in re.finditer(r"\S+", line.text):
            out.append(_Token(word.group(0), line.box.left + line.box.width * word.start() / size,
                              line.box.left + line.box.width * word.end() / size, line))
    return out


def _money(token: _Token) -> bool:
    return bool(_MONEY.match(token.bare))


def _header_words(tokens: list[_Token]) -> list[_Token]:
    """Words and pairs of neighbouring words ('UNIT PRICE', 'TOTAL HT'), as tokens."""
    return tokens + [_Token(f"{a.text} {b.text}", a.left, b.right, a.line) for a, b in zip(tokens, tokens[1:])]


def _columns(header_rows: list[list[_Token]]) -> dict[str, _Token]:
    """Each column the header names, with where its header sits. A word broken over two header rows
    ('Positions-' / 'betrag') is read whole; of several amount headers the rightmost is the line's
    amount ('Amount  Product  Price  Total')."""
    words: list[_Token] = []
    for upper, lower in zip(header_rows, header_rows[1:] + [[]]):
        for token in upper:
            below = next((t for t in lower if t.left < token.right and t.right > token.left), None)
            if token.text.endswith("-") and below is not None:
                words.append(_Token(token.text[:-1] + below.text, min(token.left, below.left), max(token.right, below.right), token.line))
        words += _header_words(upper)
    columns: dict[str, _Token] = {}
    for word in words:
        for name, pattern in HEADERS.items():
            match = pattern.match(word.text)
            if match and " " in word.text and match.end() <= word.text.index(" "):
                continue  # a pair of words counts only as a two-word header ('UNIT PRICE')
            if match and (name not in columns or (name == "amount" and word.right > columns[name].right)):
                if name == "amount" and "description" in columns and word.right < columns["description"].left:
                    continue  # 'Amount' left of the description is the quantity
                columns[name] = word
                break
    return columns


def _find_header(grouped: list[list[Line]], start: int) -> tuple[dict[str, _Token], int] | None:
    """The columns of a table whose header row is `start` (with up to two rows above and three below
    that hold no amounts), and the index of the header's last row; None when it is no item table."""
    anchor = _tokens(grouped[start])
    if any(_money(t) for t in anchor):
        return None
    first = _columns([anchor])
    if len(first) < 2 or "description" not in first and "quantity" not in first:
        return None
    page = grouped[start][0].page

    def headerish(index: int) -> bool:
        if not 0 <= index < len(grouped) or grouped[index][0].page != page:
            return False
        tokens = _tokens(grouped[index])
        return not any(_money(t) or _QUANTITY.match(t.bare) for t in tokens) and (
            len(tokens) <= 3 or bool(_columns([tokens])))

    above = [i for i in (start - 2, start - 1) if headerish(i) and all(headerish(j) for j in range(i, start))]
    last = start
    while last + 1 <= start + 3 and headerish(last + 1):
        last += 1
    columns = _columns([_tokens(grouped[i]) for i in [*above, *range(start, last + 1)]])
    if "amount" not in columns and "unit_price" not in columns:
        return None
    return columns, last


def _cells(tokens: list[_Token], columns: dict[str, _Token]) -> dict[str, list[_Token]]:
    """Each word of a body row under its column: numbers by the nearest numeric header (right-aligned,
    centred or left-aligned), text inside the description column's span; the rest is left out."""
    numeric = [name for name in _NUMERIC_COLUMNS if name in columns]
    description = columns.get("description")
    right_of = sorted(t.left for name, t in columns.items() if description is not None and t.left > description.left + 0.01)
    span = (description.left - 0.03, right_of[0] - 0.005 if right_of else 1.0) if description is not None else \
        (0.0, min((columns[name].left for name in numeric), default=1.0) - 0.005)
    cells: dict[str, list[_Token]] = {}
    for token in tokens:
        if not token.bare and token.text.strip(_MARKS + "EUR") == "":
            continue
        def distance(name: str, token: _Token = token) -> float:
            head = columns[name]
            return min(abs(token.right - head.right), abs(token.center - head.center), abs(token.left - head.left))

        figure = _money(token) or token.text.endswith("%") or (
            _QUANTITY.match(token.bare) and not re.fullmatch(r"\d{7,}", token.bare) and not span[0] <= token.center < span[1])
        name = min(numeric, key=distance) if numeric and figure else None
        if name is not None and distance(name) < COLUMN_REACH:
            cells.setdefault(name, []).append(token)
        elif span[0] <= token.center < span[1]:
            cells.setdefault("description", []).append(token)
    return cells


def _prose(tokens: list[_Token], cells: dict[str, list[_Token]]) -> bool:
    """A sentence across the table ('We invoice the following items:'), not a description line: its
    words run past the description column."""
    placed = {id(t) for found in cells.values() for t in found}
    described = cells.get("description", [])
    return bool(described) and any(id(t) not in placed and t.left > max(d.right for d in described) for t in tokens)


def _cell(tokens: list[_Token]) -> tuple[str, float, Box]:
    left, right = min(t.left for t in tokens), max(t.right for t in tokens)
    top = min(t.line.box.top for t in tokens)
    bottom = max(t.line.box.top + t.line.box.height for t in tokens)
    return " ".join(t.text for t in tokens), min(t.line.confidence for t in tokens), Box(left, top, right - left, bottom - top)


def _table(grouped: list[list[Line]], columns: dict[str, _Token], body: int) -> list[TableRow]:
    """Items under a header: a row with figures starts an item (or gives the amount to an item whose
    amount is printed a row lower); text rows continue its description; a discount row under an item
    reduces its amount; the totals end the table."""
    items: list[dict[str, list[_Token]]] = []
    pending: list[_Token] = []  # a description printed above its figures
    for row in grouped[body:]:
        text = " ".join(line.text for line in row).strip(" .:;,'\"*_~-")
        if _TABLE_END.match(text):
            break
        tokens = _tokens(row)
        cells = _cells(tokens, columns)
        amount = [t for t in cells.get("amount", []) if _money(t)]
        figures = amount or cells.get("unit_price") or cells.get("quantity")
        current = items[-1] if items else None
        if _DISCOUNT.match(text) and current is not None and current.get("amount"):
            money = [t for t in tokens if _money(t) and t.bare.startswith(("-", "‐", "−", "–"))]
            if money:
                current["discount"] = [*current.get("discount", []), money[-1]]
            continue
        if amount and current is not None and not current.get("amount") and not any(
                cells.get(name) and current.get(name) for name in ("quantity", "unit_price")):
            # The rest of the figures of an item that started a row higher (its amount wrapped below).
            for name in ("description", "quantity", "unit_price"):
                current[name] = [*current.get(name, []), *cells.get(name, [])]
            current["amount"] = amount[-1:]
            continue
        if figures:
            item = {name: found for name, found in cells.items() if name in ("description", "quantity", "unit_price")}
            if amount:
                item["amount"] = amount[-1:]
            if not item.get("description") and pending:
                item["description"] = pending
            items.append(item)
            pending = []
        elif cells.get("description") and not _prose(tokens, cells):
            if current is not None:
                current["description"] = [*current.get("description", []), *cells["description"]]
            else:
                pending = [*pending, *cells["description"]]
    found = []
    for item in items:
        if not item.get("amount"):
            continue
        cells = {name: _cell(tokens) for name, tokens in item.items() if name != "discount" and tokens}
        if item.get("discount"):
            from .invoices import parse_money

            net = sum(parse_money(t.bare) or 0.0 for t in [*item["amount"], *item["discount"]])
            text, confidence, box = cells["amount"]
            cells["amount"] = (f"{net:.2f}", confidence, box)
        found.append(TableRow(cells, item["amount"][0].line.page))
    return found


def item_table(lines: list[Line]) -> list[TableRow]:
    """Rows of the first item table on the document: under a header naming a description (or a
    quantity) and an amount or price column, until the totals start. Where no table header is
    printed, the list of amounts that adds up to the printed net total ('Privathaftpflicht 50,00 €'
    ... 'Gesamtbeitrag 50,00 €')."""
    grouped = rows(lines)
    for start in range(len(grouped)):
        header = _find_header(grouped, start)
        if header is not None:
            found = _table(grouped, header[0], header[1] + 1)
            if found:
                return found
    return _listed_items(grouped)


_NET_TOTAL = re.compile(r"^(GESAMTBEITRAG|ZWISCHENSUMME|SUMME\s+NETTO|NETTOSUMME|NETTOBETRAG|WARENWERT|POSITIONSSUMME|"
                        r"SUB\s*-?\s*TOTAL|NET\s+TOTAL|TOTAL\s+NET|TOTAL\s+HT|MONTANT\s+HT)\b", re.I)


def _listed_items(grouped: list[list[Line]]) -> list[TableRow]:
    """Rows of a description and one amount right above the net total, taken as the items only when
    their amounts add up to it."""
    from .invoices import parse_money

    for end, row in enumerate(grouped):
        text = " ".join(line.text for line in row)
        tokens = _tokens(row)
        money = [t for t in tokens if _money(t)]
        if not _NET_TOTAL.match(text.strip()) or not money:
            continue
        target, running, listed = parse_money(money[-1].bare), 0.0, []
        continuation: list[_Token] = []
        for above in reversed(grouped[max(0, end - 15):end]):
            if above[0].page != row[0].page:
                break
            words = _tokens(above)
            amounts = [t for t in words if _money(t)]
            if len(amounts) != 1 or amounts[0] is not words[-1] and not (amounts[0] is words[-2] and words[-1].text in ("€", "$", "£", "₹", "EUR")):
                if amounts or not listed and not words:
                    break
                continuation = words + continuation
                continue
            description = [t for t in words if t is not amounts[0] and t.text not in ("€", "$", "£", "EUR")]
            if not description or _TABLE_END.match(description[0].text):
                break
            listed.insert(0, TableRow({"description": _cell(description + continuation), "amount": _cell(amounts)}, above[0].page))
            continuation = []
            running += parse_money(amounts[0].bare) or 0.0
            if target is not None and abs(running - target) < 0.005:
                return listed
    return []
