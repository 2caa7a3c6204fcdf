"""CSV for people who open it in a spreadsheet: a text cell that a spreadsheet would read as a formula
(`=HYPERLINK(...)`, `+1+1`, `-2+3`, `@SUM(...)`, or one starting with a tab or carriage return) is
written with a leading apostrophe, so it shows as the text it is (OWASP's advice on CSV injection).
Numbers stay numbers. Standard library only."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
