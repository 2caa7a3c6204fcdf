"""Receipt fields from OCR lines: company, address, date and total, each with a confidence (0..1, the
OCR's confidence in the line times how sure the rule that found it is) and where it came from.

Retail receipts put the seller's name and address at the top (a registration number and the phone
line close that block), the date near a DATE label or in the header, and the amount paid on a row
labelled TOTAL (rounded, nett or grand total winning over a plain total, never a subtotal, a tax or
an item count). Standard library only.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .textract import Box, Line, rows

HEADER_LINES = 20
# A year beyond this on a receipt is a misread digit: another date on the page is the one. (Invoices
# read dates up to 2099, so the rules, not the reader, judge a date in the future.)
LATEST_RECEIPT_YEAR = 2035
MONTHS = {m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
# A year may run straight into the time when the reader lost the space ("25/12/20188:13:39PM").
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[/\-.]\s?(\d{1,2})\s?[/\-.]\s?(\d{4}|\d{2})(?!\d)|"
                           r"(?<!\d)(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?=\d{1,2}:\d{2})")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?!\d)")
_NAMED_DATE = re.compile(r"(?<!\d)(\d{1,2})[\s\-/]*(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-/,]*(\d{4}|\d{2})(?!\d)")
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\s?[.,]\s?(\d{2})(?![\d])")
_COMPANY_SUFFIX = re.compile(r"SDN\.?\s*BHD\b|\b(SDN|BHD|BERHAD|S/B|PLT|ENTERPRISE|ENTERPRISES|TRADING|TRADERS|RESTAURANT|"
                             r"RESTORAN|STORE|STORES|MART|MARKET|HARDWARE|BOOKSTORE|STATIONERY|CO\.|COMPANY|LTD|LIMITED|"
                             r"INC|CORPORATION|SHOP|CAFE|BAKERY|PHARMACY|GIFT|KEDAI|PERNIAGAAN|SYARIKAT)\b")
# Words that end a company name: a line starting with one continues the line above ("POPULAR BOOK" /
# "CO. (M) SDN BHD"); words such as SYARIKAT or RESTORAN start a name instead.
_NAME_ENDING = re.compile(r"^\(?(SDN|BHD|BERHAD|S/B|PLT|CO\.|COMPANY|LTD|LIMITED|INC|CORPORATION|ENTERPRISES?|TRADING|TRADERS|\(M\))")
_REGISTRATION = re.compile(r"^\(?\s*(CO\.?\s*REG(\.?\s*NO)?|ROC(\s*NO)?|REG(\.?\s*NO)?|COMPANY\s*(REG\.?\s*)?NO|CO\.?\s*NO|BR\s*NO|"
                           r"[A-Z]{0,8}\s*NO)?"
                           r"[\s.:]*\(?[A-Z]{0,3}\d{3,12}\s*-?\s*[A-Z]\)?\s*\)?\.?$")
_TRAILING_REGISTRATION = re.compile(r"\s*\(?\s*(CO\.?\s*REG\s*(NO)?|ROC\s*(NO)?)?[\s.:]*(\(\d{3,12}\s*-?\s*[A-Z]\)|\s\d{5,12}-[A-Z])\s*$")
_PHONE_ONLY = re.compile(r"^[\s(]*\+?\d[\d\s\-()]{6,}\.?$")
_ADDRESS_WORDS = re.compile(r"\b(JALAN|JLN|JL|TAMAN|TMN|LORONG|ROAD|STREET|BANDAR|KAMPUNG|KG|BLOK|BLOCK|LOT|NO\.?|PERSIARAN|"
                            r"LEVEL|BANGUNAN|UNIT|SUITE|KAWASAN|PERINDUSTRIAN|"
                            r"LEBUH|PUSAT|KOMPLEKS|PLAZA|WISMA|MENARA|SEKSYEN|SECTION|BATU|TINGKAT|FLOOR|MALL|"
                            r"JOHOR|SELANGOR|KUALA LUMPUR|PUCHONG|KLANG|MALAYSIA|PERAK|PAHANG|MELAKA|PENANG|KEDAH|SABAH)\b")
_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_ADDRESS_STOP = re.compile(r"\b(TEL|TELEPHONE|FAX|PHONE|H/P|HP|GST|ROC|CO\.?\s*REG|REG\.?\s*NO|BR\s*NO|COMPANY\s*NO|TAX|INVOICE|"
                           r"RECEIPT|TAX\s*INVOICE|CASH|DATE|EMAIL|E-MAIL|WWW|HTTP|BILL|CASHIER|DOC|DOCUMENT|TABLE|ORDER|SST|MEMBER)\b|@")
# A total before tax is not what was paid; a total with the tax included is, whatever else its row says.
_EXCLUSIVE = r"EXC\s*L(\.|UDING|USIVE)?\s*(OF\s*)?(GST|TAX|SST)|BEFORE\s*(GST|TAX|SST)"
_INCLUSIVE = re.compile(r"TOTAL\b.*\bINC\s*L(\.|,|UDING|USIVE)?\s*(OF\s*)?(GST|TAX|SST)")
_TOTAL_EXCLUDED = re.compile(_EXCLUSIVE + r"|SUB\s*-?\s*TOTAL|TOTAL\s*(QTY|QUANTITY|ITEM|ITEMS|DISCOUNT|DISC|SAVING|SAVINGS|GST|TAX|SST|"
                             r"EXCL|EXCLUDING|NO\.? OF)|GST\s*SUMMARY|\bQTY\b|\bITEMS?\b\s*:|INCLUDES?\s*\d*\s*%?\s*GST|"
                             r"GST\s*@?\s*\d+\s*%|INCLUDED\s*IN\s*TOTAL")
_SUMMARY = re.compile(r"(GST|TAX|SST)\s*SUMMARY|SUMMARY\s*OF")
_CASH = re.compile(r"^\s*(CASH|TUNAI|TENDERED|PAYMENT|PAID)\b")
_CHANGE = re.compile(r"^\s*(CASH\s*)?(CHANGE|BAKI)\b")
_TOTAL_STRONG = re.compile(r"ROUND(ED|ING)?\s*TOTAL|TOTAL\s*ROUNDED|GRAND\s*TOTAL|NETT?\s*TOTAL|TOTAL\s*(AMOUNT|AMT|PAYABLE|DUE|INCL|SALES|"
                           r"\(?RM\)?|\(?MYR\)?)|AMOUNT\s*(DUE|PAYABLE)|TOTAL\s*:")
_ROUNDING = re.compile(r"ROUNDING|ROUNDED|ROUND\s*(ADJ|OFF)")
_TOTAL_WORD = re.compile(r"\bTOTAL\b|\bJUMLAH\b|\bAMOUNT\b")


@dataclass(frozen=True)
class Field:
    value: str
    confidence: float
    text: str  # the OCR text it was read from
    box: Box | None
    page: int = 1

    def to_json(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 3), "text": self.text,
                "page": self.page, "box": self.box.to_json() if self.box else None}


def extract_receipt(lines: list[Line]) -> dict[str, Field | None]:
    return {"company": _company(lines), "address": _address(lines), "date": _date(lines), "total": _total(lines)}


_OCR_LETTERS = (("¥", "Y"), ("€", "E"), ("£", "E"), ("§", "S"))


def _clean(text: str) -> str:
    """One space between words; full-width forms some readers return ('（M）') as their ASCII letters."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _clean_name(text: str) -> str:
    """A name or address line with characters receipts do not print in them read back as the letters
    they were: '!' or '|' inside or at the end of a word is an I ('DAMA!'), '¥' a Y, '§' an S."""
    text = _clean(text)
    for wrong, right in _OCR_LETTERS:
        text = text.replace(wrong, right)
    return re.sub(r"(?<=[A-Za-z])[!|](?=[A-Za-z\s,.)]|$)", "I", text)


# --- company and address -------------------------------------------------------------------------
def _is_registration(text: str) -> bool:
    upper = _clean_name(text).upper()
    return bool(_REGISTRATION.match(upper)) or bool(re.match(r"^\(?\s*(CO\.?\s*)?(REG|ROC|BR\s*NO|COMPANY\s*(REG\.?\s*)?NO)\b", upper))


def _looks_like_address(text: str) -> bool:
    upper = text.upper()
    if _ADDRESS_STOP.search(upper) or _PHONE_ONLY.match(upper):
        return False
    starts_with_number = re.match(r"^(NO\.?\s*|LOT\s*)?\d+[A-Z]?\s*[,&\-/]", upper) is not None
    return starts_with_number or bool(_ADDRESS_WORDS.search(upper)) or bool(_POSTCODE.search(upper))


def _header(lines: list[Line]) -> list[Line]:
    """Where the seller's name and address are looked for: the first lines of the page."""
    return lines[:HEADER_LINES]


def _address_span(lines: list[Line]) -> tuple[int, int] | None:
    header = _header(lines)
    start = next((i for i, line in enumerate(header) if i > 0 and _looks_like_address(line.text)
                  and not _is_registration(line.text) and not _COMPANY_SUFFIX.search(line.text.upper())), None)
    if start is None:
        return None
    end = start
    while end + 1 < len(header):
        text = header[end + 1].text
        if _ADDRESS_STOP.search(text.upper()) or _is_registration(text) or _NUMERIC_DATE.search(text) or _PHONE_ONLY.match(text):
            break
        # After a postcode line, only a short state or country line still belongs to the address.
        if _POSTCODE.search(header[end].text) and not (_ADDRESS_WORDS.search(text.upper()) and len(text) < 30):
            break
        end += 1
    return start, end


def _company(lines: list[Line]) -> Field | None:
    span = _address_span(lines)
    above = _header(lines)[: span[0]] if span else _header(lines)[:5]
    candidates = [line for line in above if not _is_registration(line.text) and len(_clean(line.text)) >= 3
                  and not _not_a_name(line.text)]
    if not candidates:
        return None
    with_suffix = [line for line in candidates if _COMPANY_SUFFIX.search(line.text.upper())]
    chosen, certainty = (with_suffix[-1], 0.95) if with_suffix else (candidates[-1], 0.75 if span else 0.5)
    name = _clean_name(chosen.text)
    index = candidates.index(chosen)
    # A name the scan split over two lines: an open parenthesis or a trailing "&" continues it.
    if index > 0 and (name.count(")") > name.count("(") or _NAME_ENDING.match(name.upper())):
        name = _clean_name(candidates[index - 1].text) + " " + name
    elif index + 1 < len(candidates) and (name.endswith("&") or name.count("(") > name.count(")")):
        name = name + " " + _clean_name(candidates[index + 1].text)
    name = _TRAILING_REGISTRATION.sub("", name).strip()
    opening = name.rfind("(")
    if opening > 0 and sum(c.isdigit() for c in name[opening:]) >= 4:  # a registration number, misread ('(CO.RFG : 86Q671-D)')
        name = name[:opening].strip()
    label = re.match(r"^[A-Za-z ]{2,20}:\s*", name)
    if label and _COMPANY_SUFFIX.search(name[label.end():].upper()):  # 'Owned by: X SDN BHD' ('Dimiliki: ...')
        name = name[label.end():]
    return Field(name, certainty * chosen.confidence / 100, chosen.text, chosen.box, chosen.page)


def _not_a_name(text: str) -> bool:
    """A date or time, a phone number or a line of mostly digits (a handwritten note, a stamp) is not
    the seller's name, even at the top of the page."""
    cleaned = _clean(text)
    digits = sum(c.isdigit() for c in cleaned)
    return (parse_date(cleaned) is not None or bool(re.search(r"\d{1,2}:\d{2}", cleaned)) or bool(_PHONE_ONLY.match(cleaned))
            or digits >= 0.5 * len(cleaned.replace(" ", "")))


def _address(lines: list[Line]) -> Field | None:
    span = _address_span(lines)
    if span is None:
        return None
    part = _header(lines)[span[0] : span[1] + 1]
    text = " ".join(_clean_name(line.text) for line in part)
    box = Box(min(line.box.left for line in part), part[0].box.top,
              max(line.box.left + line.box.width for line in part) - min(line.box.left for line in part),
              part[-1].box.top + part[-1].box.height - part[0].box.top)
    certainty = 0.9 if any(_POSTCODE.search(line.text) for line in part) else 0.6
    return Field(text, certainty * min(line.confidence for line in part) / 100, text, box, part[0].page)


# --- date ------------------------------------------------------------------------------------------
def parse_date(text: str, latest_year: int = LATEST_RECEIPT_YEAR) -> date | None:
    """The first plausible date in a text: day/month/year as printed in Malaysia and most of the world,
    month/day when the day cannot be a month, ISO year-month-day, or a month name."""
    upper = text.upper()
    for match in _ISO_DATE.finditer(upper):
        found = _valid(int(match[1]), int(match[2]), int(match[3]), latest_year)
        if found:
            return found
    for match in _NUMERIC_DATE.finditer(upper):
        groups = match.groups()[:3] if match[1] else match.groups()[3:]
        first, second, year = (int(g) for g in groups)
        year += 2000 if year < 100 else 0
        found = _valid(year, second, first, latest_year) or _valid(year, first, second, latest_year)
        if found:
            return found
    for match in _NAMED_DATE.finditer(upper):
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        found = _valid(year, MONTHS[match[2]], int(match[1]), latest_year)
        if found:
            return found
    return None


def _valid(year: int, month: int, day: int, latest_year: int) -> date | None:
    if not 2000 <= year <= latest_year:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date(lines: list[Line]) -> Field | None:
    best: tuple[float, int, Line, date] | None = None
    for index, row in enumerate(rows(lines)):
        text = " ".join(line.text for line in row)
        found = parse_date(text)
        if found is None:
            continue
        score = 1.0 if re.search(r"\bDATE\b|\bTARIKH\b", text.upper()) else 0.8
        if best is None or score > best[0]:
            best = (score, index, max(row, key=lambda line: bool(parse_date(line.text))), found)
    if best is None:
        return None
    score, _, line, found = best
    return Field(found.isoformat(), score * line.confidence / 100, line.text, line.box, line.page)


# --- total -----------------------------------------------------------------------------------------
def parse_cell_amount(text: str) -> float | None:
    """An amount that is a whole cell of its own (a labelled value, a table cell): OCR may put a space
    after its thousands comma ('1, 174.77'); in running text that could be two numbers."""
    compact = text.strip()
    if re.fullmatch(r"[^\d]{0,4}\d{1,3}(?:, ?\d{3})+[.,]\s?\d{2}", compact):
        compact = re.sub(r", (\d{3})", r",\1", compact)
    return parse_amount(compact)


def parse_amount(text: str) -> float | None:
    """The last amount with two decimals in a text (1,234.50; OCR may read the point as a comma)."""
    matches = list(_AMOUNT.finditer(text))
    if not matches:
        return None
    whole, cents = matches[-1][1], matches[-1][2]
    return float(whole.replace(",", "") + "." + cents)


def _row_amount(row: list[Line]) -> tuple[float | None, Line]:
    return parse_amount(" ".join(line.text for line in row)), row[-1]


def _total(lines: list[Line]) -> Field | None:
    grouped = rows(lines)
    summary = next((i for i, row in enumerate(grouped) if _SUMMARY.search(" ".join(line.text for line in row).upper())), None)
    if summary is not None:
        grouped = grouped[:summary]  # a tax summary's TOTAL row sums the tax table, not the bill
    paid = _paid(grouped)
    candidates: list[tuple[float, int, float, Line]] = []
    for index, row in enumerate(grouped):
        text = _clean(" ".join(line.text for line in row)).upper()
        if not _TOTAL_WORD.search(text) or (_TOTAL_EXCLUDED.search(text) and not _INCLUSIVE.search(text)):
            continue
        score = 1.0 if _TOTAL_STRONG.search(text) else 0.8
        amount, source = parse_amount(text), row[-1]
        if amount is None and index + 1 < len(grouped):  # label above its amount
            below = grouped[index + 1]
            amount, source, score = parse_amount(" ".join(line.text for line in below)), below[-1], score - 0.1
        if amount is not None and amount > 0:
            candidates.append((score, index, amount, source))
    if paid is not None:  # cash tendered minus change is what the bill came to: it confirms a candidate
        confirmed = [c for c in candidates if abs(c[2] - paid) < 0.005]
        if confirmed:
            score, _, amount, source = max(confirmed, key=lambda c: (c[0], -c[1]))
            return Field(f"{amount:.2f}", min(1.0, score + 0.1) * source.confidence / 100, source.text, source.box, source.page)
        # e.g. a rounded amount on a row of its own after "ROUNDING ADJ."
        shown = [row for row in grouped if (_row_amount(row)[0] or -1) == paid]
        if shown:
            source = shown[-1][-1]
            return Field(f"{paid:.2f}", 0.85 * source.confidence / 100, source.text, source.box, source.page)
    if candidates:
        score, _, amount, source = max(candidates, key=lambda c: (c[0], -c[1]))
        if _ROUNDING.search(" ".join(line.text for line in lines).upper()) and round(amount * 100) % 5:
            # The receipt rounds the bill to 5 sen (Malaysia's cash rounding): what was paid is the
            # rounded amount, whose own row was not found or not read.
            amount, score = round(amount * 20) / 20, score * 0.9
        return Field(f"{amount:.2f}", score * source.confidence / 100, source.text, source.box, source.page)
    amounts = [(parse_amount(line.text), line) for line in lines]
    amounts = [(a, line) for a, line in amounts if a is not None]
    if not amounts:
        return None
    amount, line = max(amounts, key=lambda pair: pair[0])
    return Field(f"{amount:.2f}", 0.4 * line.confidence / 100, line.text, line.box, line.page)


def _paid(grouped: list[list[Line]]) -> float | None:
    """Cash tendered minus change, when the receipt shows both."""
    cash = change = None
    for row in grouped:
        text = _clean(" ".join(line.text for line in row)).upper()
        amount, _ = _row_amount(row)
        if amount is None:
            continue
        if cash is None and _CASH.search(text) and not _CHANGE.search(text):
            cash = amount
        elif cash is not None and change is None and _CHANGE.search(text):
            change = amount
    return round(cash - change, 2) if cash is not None and change is not None and cash >= change else None
