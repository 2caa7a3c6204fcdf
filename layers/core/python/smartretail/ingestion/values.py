"""Dates and numbers as spreadsheets write them, read into ISO dates and floats.

Sellers export from Excel, LibreOffice and point-of-sale systems in their own locale: `01.07.2026`,
`7/1/2026 2:30 PM`, `1 Jul 2026`, `3,58`, `$1,200.50`, `1.200,50 €`. A `ValueFormat` reads them the
way one file writes them (day-first or month-first, decimal comma or point) and names what it had
to normalise, so an upload can say "1,843 dates read as day-first". What a file's format is (when
the seller did not declare it) is settled by `FormatEvidence` from the values themselves.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Literal

MIN_YEAR, MAX_YEAR = 1990, 2100
DateOrder = Literal["day_first", "month_first"]
DecimalSeparator = Literal[".", ","]

DATE_ORDER_WORDS = {"day_first": "day-first (DD/MM/YYYY)", "month_first": "month-first (MM/DD/YYYY)"}

# What was normalised, as the upload's result counts it.
DAY_FIRST = "dates read as day-first"
MONTH_FIRST = "dates read as month-first"
MONTH_NAME = "dates written with a month name"
TIME_DROPPED = "dates with a time of day (the day is kept)"
DECIMAL_COMMA = "numbers with a decimal comma"
GROUPED = "numbers with thousands separators"
CURRENCY_MARK = "numbers with a currency sign removed"

_MONTHS = {
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)},
    "sept": 9, "june": 6, "july": 7,
    # German and French spellings sellers' exports use.
    "mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12, "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4,
    "juin": 6, "juil": 7, "août": 8, "aout": 8, "déc": 12,
    # Dutch ('29 maart 2014', '3 mei', '12 mrt').
    "maa": 3, "mrt": 3, "mei": 5,
}
_TIME = re.compile(r"(?:[ T]+|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[aApP]\.?[mM]\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([aApP])\.?[mM]\.?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_DAY_NAMED = re.compile(r"(\d{1,2})\.?[ -]?([^\W\d_]{3,9})\.?[ -]?,?\s*(\d{4}|\d{2})")
_NAMED_DAY = re.compile(r"([^\W\d_]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(\d{4})")  # 'August 3 , 2014' too

_CURRENCY = re.compile(r"^(?:[$€£¥₹]|(?:USD|EUR|GBP|INR|CHF|CAD|AUD|JPY)\s?|Rs\.?\s?)|(?:\s?[$€£¥₹]|\s?(?:USD|EUR|GBP|INR|CHF|CAD|AUD|JPY))$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # 1 200,50 / 1'200.50: grouping by spaces or apostrophes
_SPACE_GROUPED = re.compile(r"-?\d{1,3}(?:[\s\u00a0\u202f']\d{3})+(?:[.,]\d+)?")
_PLAIN = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_GROUPED = {".": re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?"), ",": re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")}
_DECIMAL_COMMA = re.compile(r"-?\d*,\d+")


def _year(text: str) -> int:
    """A two-digit year is this century's up to next year, else the last century's (then usually
    below MIN_YEAR, so quarantined rather than read as a far-future day)."""
    if len(text) != 2:
        return int(text)
    return 2000 + int(text) if 2000 + int(text) <= date.today().year + 1 else 1900 + int(text)


def _checked(year: int, month: int, day: int) -> date:
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError(f"is not a real day ({year:04d}-{month:02d}-{day:02d})") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"must be between {MIN_YEAR} and {MAX_YEAR}")
    return parsed


@lru_cache(maxsize=8192)
def read_date(text: str, order: DateOrder | None) -> tuple[str, tuple[str, ...]]:
    """(ISO date, what was normalised); ValueError with a reason. Cached: a file repeats its days."""
    text = text.strip()
    try:  # the contract's own form, and ISO date-times
        parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        pass
    else:
        return _checked(parsed.year, parsed.month, parsed.day).isoformat(), ((TIME_DROPPED,) if len(text) > 10 else ())
    notes = ()
    timed = _TIME.search(text)
    if timed and timed.start() > 0:
        text, notes = text[: timed.start()].strip(), (TIME_DROPPED,)
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = map(int, match.groups())
        return _checked(year, month, day).isoformat(), notes
    if match := _NUMERIC.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        if first == second:
            return _checked(year, first, second).isoformat(), notes
        if order is None:  # only a date that proves its own order ('31/03/2024') reads without one
            if (first <= 12 and second <= 12) or len(match[4]) == 2:  # '24/03/31' may be year-first
                raise ValueError("could be day-first or month-first: declare the file's date order (date_order)")
            order = "day_first" if first > 12 else "month_first"
        day, month = (first, second) if order == "day_first" else (second, first)
        if month > 12:
            raise ValueError(f"is not a {DATE_ORDER_WORDS[order]} date")
        return _checked(year, month, day).isoformat(), notes + ((DAY_FIRST if order == "day_first" else MONTH_FIRST),)
    for pattern, day_group, month_group, year_group in ((_DAY_NAMED, 1, 2, 3), (_NAMED_DAY, 2, 1, 3)):
        if (match := pattern.fullmatch(text)) and (month := month_number(match[month_group])):
            return _checked(_year(match[year_group]), month, int(match[day_group])).isoformat(), notes + (MONTH_NAME,)
    raise ValueError("must be a date such as 2024-03-31, 31/03/2024 or 31 Mar 2024")


def month_number(name: str) -> int | None:
    """1-12 for a month's name or abbreviation in English, German, French or Dutch."""
    name = name.lower().rstrip(".")
    for prefix in (name, name[:4], name[:3]):
        if prefix in _MONTHS:
            return _MONTHS[prefix]
    return None


def date_order_evidence(text: str) -> DateOrder | Literal["ambiguous"] | None:
    """Which order a written date proves ('13/07/2026' can only be day-first), 'ambiguous' when it
    could be either, None when its form does not depend on the order."""
    text = text.strip()
    timed = _TIME.search(text)
    if timed and timed.start() > 0:
        text = text[: timed.start()].strip()
    match = _NUMERIC.fullmatch(text)
    if not match:
        return None
    first, second = int(match[1]), int(match[3])
    if first == second or (first > 12 and second > 12):
        return None
    if len(match[4]) == 2:  # '13/07/26' could also be 2013-07-26: a two-digit year never settles the order
        return "ambiguous"
    if first > 12:
        return "day_first"
    if second > 12:
        return "month_first"
    return "ambiguous"


def _strip_marks(text: str) -> tuple[str, tuple[str, ...]]:
    notes: tuple[str, ...] = ()
    stripped = _CURRENCY.sub("", text).strip()
    if stripped != text:
        notes += (CURRENCY_MARK,)
    if _SPACES.search(stripped) and _SPACE_GROUPED.fullmatch(stripped):  # never '1 5' -> 15
        return _SPACES.sub("", stripped), notes + (GROUPED,)
    return stripped, notes


def decimal_evidence(text: str) -> DecimalSeparator | Literal["ambiguous"] | None:
    """Which decimal separator a written number proves ('3,58' a comma, '1,200.50' a point),
    'ambiguous' for '1,200' or '1.200', None when it does not depend on it."""
    body, _ = _strip_marks(text.strip())
    comma, point = body.rfind(","), body.rfind(".")
    if comma < 0 and point < 0:
        return None
    if comma >= 0 and point >= 0:
        return "," if comma > point else "."
    mark = "," if comma >= 0 else "."
    if _GROUPED["." if mark == "," else ","].fullmatch(body):
        return "ambiguous"
    return mark if re.fullmatch(rf"-?\d*{re.escape(mark)}\d+", body) else None


@dataclass(frozen=True)
class ValueFormat:
    """How one file writes its dates and numbers. The default reads only the contract's own forms
    (ISO dates, a decimal point) and dates whose form does not depend on the order. A file whose
    decimal mark nothing settled (`None`) reads numbers that prove their own ('3,58', '1,200.50')
    and quarantines those that could be either ('1,200')."""

    date_order: DateOrder | None = None
    decimal_separator: DecimalSeparator | None = "."

    def date(self, value: Any) -> tuple[str, tuple[str, ...]]:
        if isinstance(value, datetime):  # a spreadsheet cell typed as a date
            value = value.date()
        if isinstance(value, date):
            return _checked(value.year, value.month, value.day).isoformat(), ()
        return read_date(str(value), self.date_order)

    def timestamp(self, value: Any) -> tuple[str, tuple[str, ...]]:
        """An instant as ISO 8601 in UTC ('2011-12-01T08:26:00Z'). The date is read as `date` reads
        it (so '01/12/2011 08:26' follows the file's date order); no time of day means midnight and
        no zone means UTC."""
        if isinstance(value, datetime):
            parsed, notes = value, ()
        else:
            text = str(value).strip()
            try:
                parsed, notes = datetime.fromisoformat(text), ()
            except ValueError:
                timed = _TIME.search(text)
                day, notes = self.date(text[: timed.start()] if timed and timed.start() > 0 else text)
                notes = tuple(n for n in notes if n != TIME_DROPPED)
                parsed = datetime.combine(date.fromisoformat(day), time())
                if timed and timed.start() > 0:
                    parsed = _with_clock(parsed, timed.group(0))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"), notes

    def number(self, value: Any) -> tuple[float, tuple[str, ...]]:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        if isinstance(value, (int, float)):
            return _finite(float(value)), ()
        text = str(value).strip()
        if _PLAIN.fullmatch(text) and (self.decimal_separator == "." or "." not in text):
            return _finite(float(text)), ()
        if self.decimal_separator is None:
            proof = decimal_evidence(text)
            if proof == "ambiguous":
                point, comma = ValueFormat(None, ".").number(text)[0], ValueFormat(None, ",").number(text)[0]
                raise ValueError(f"could be {point:g} or {comma:g}: declare the file's decimal mark (decimal_separator)")
            return ValueFormat(self.date_order, proof or ".").number(text)
        body, notes = _strip_marks(text)
        if self.decimal_separator == ",":
            if _GROUPED[","].fullmatch(body):
                return _finite(float(body.replace(".", "").replace(",", "."))), notes + (GROUPED,) + ((DECIMAL_COMMA,) if "," in body else ())
            if _DECIMAL_COMMA.fullmatch(body):
                return _finite(float(body.replace(",", "."))), notes + (DECIMAL_COMMA,)
            if re.fullmatch(r"-?\d+", body):
                return _finite(float(body)), notes
            raise ValueError("must be a number like 12,5 (this file writes decimals with a comma)")
        if _GROUPED["."].fullmatch(body):
            return _finite(float(body.replace(",", ""))), notes + (GROUPED,)
        if _PLAIN.fullmatch(body):
            return _finite(float(body)), notes
        raise ValueError("must be a number like 12.5 (dot as decimal separator)")


def _finite(number: float) -> float:
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


SURVEY_ROWS = 10_000


@dataclass
class FormatEvidence:
    """What a file's values prove about its format, gathered in one pass before any row is typed.
    The first value that settles a question settles it: later values written the other way are
    quarantined with the reason, not read the other way. A question some values raise and none
    settles is searched for in the whole file."""

    date_proof: tuple[DateOrder, str] | None = None
    ambiguous_date: str | None = None
    decimal_proof: tuple[DecimalSeparator, str] | None = None
    ambiguous_number: str | None = None
    seen: Counter = field(default_factory=Counter)

    def see_date(self, text: str) -> None:
        if self.date_proof is None:
            found = date_order_evidence(text)
            if found == "ambiguous":
                self.ambiguous_date = self.ambiguous_date or text.strip()
            elif found:
                self.date_proof = (found, text.strip())

    def see_number(self, text: str) -> None:
        if self.decimal_proof is None:
            found = decimal_evidence(text)
            if found == "ambiguous":
                self.ambiguous_number = self.ambiguous_number or text.strip()
            elif found:
                self.decimal_proof = (found, text.strip())

    def settled(self, rows_seen: int) -> bool:
        """Nothing more to learn: each question is proved, or SURVEY_ROWS rows wrote no value that
        needs it (a later one that does is quarantined with the option to declare, not guessed)."""
        quiet = rows_seen >= SURVEY_ROWS
        dates = self.date_proof is not None or (quiet and self.ambiguous_date is None)
        numbers = self.decimal_proof is not None or (quiet and self.ambiguous_number is None)
        return dates and numbers


def _with_clock(day: datetime, text: str) -> datetime:
    """`day` at the time of day written in `text` ('8:26', '08:26:13.5 PM', '10:00+02:00')."""
    match = _CLOCK.search(text)
    if not match:
        raise ValueError("has a time of day that cannot be read")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[5]:
        if not 1 <= hour <= 12:
            raise ValueError("has an hour outside 1-12 with AM/PM")
        hour = hour % 12 + (12 if match[5].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("has a time of day that does not exist")
    moment = day.replace(hour=hour, minute=minute, second=second)
    if match[6] and match[6] != "Z":
        sign, digits = (1 if match[6][0] == "+" else -1), match[6][1:].replace(":", "")
        moment = moment.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))))
    elif match[6] == "Z":
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
