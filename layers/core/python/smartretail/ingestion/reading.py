"""Reading a seller's file as it was exported: its encoding, delimiter or sheet, which of its columns
are which of the dataset's, and how it writes dates and numbers.

The validator and the preview read files through this one module, so a preview shows exactly what
the check will do. Nothing here rewrites the file: it is read from a local copy, and what was
detected or inferred is returned as a `Reading` to be recorded with the upload.
"""

import codecs
import csv
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any, Callable, Iterator
from xml.etree import ElementTree

import charset_normalizer

from ..contracts import DatasetContract, Kind, header_key, normalise_header
from ..errors import InvalidRequest
from ..models import MappedColumn, Reading, ReadingOptions
from .values import DATE_ORDER_WORDS, FormatEvidence, ValueFormat, read_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSONL = "application/x-ndjson"
# A header wider than this is not one of our datasets (and its ignored columns would not fit a record).
MAX_COLUMNS = 1000
SAMPLE_BYTES = 1 << 16  # what the delimiter and a non-UTF-8 encoding are told from
DELIMITERS = ",;\t|"
SNIFF_CHARS, SNIFF_LINES = 8192, 50
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, header)."""


class ChoiceNeeded(FileRejected):
    """The file can be read once the seller makes the one choice the message names."""

    def __init__(self, message: str, option: str, values: list[str] | None = None):
        super().__init__(message)
        self.choice = {"option": option, "values": values}


Row = tuple[int, dict[str, Any] | None, str | None]  # (row number, {header as written: value}, why unreadable)


@dataclass
class LocalCopy:
    """A file copied to local disk once, hashed on the way (idempotency on content), with whether it
    was UTF-8 throughout (which a sample cannot tell)."""

    path: str
    sha256: str
    size: int
    utf8: bool
    head: bytes
    not_utf8: bytes = b""  # the bytes around the first that is not UTF-8: what a different encoding is told from
    utf8_accents: bool = False  # UTF-8 accents came before any byte that is not UTF-8: a UTF-8 file with a stray byte


def copy_locally(stream: IO[bytes], path: str, complete: bool = True) -> LocalCopy:
    digest, size, head, not_utf8 = hashlib.sha256(), 0, b"", b""
    decoder, utf8, accents = codecs.getincrementaldecoder("utf-8")(), True, False
    with open(path, "wb") as out:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            if len(head) < SAMPLE_BYTES:
                head += chunk[: SAMPLE_BYTES - len(head)]
            if utf8:
                try:
                    accents = accents or not decoder.decode(chunk).isascii()
                except UnicodeDecodeError as exc:
                    utf8 = False
                    accents = accents or not chunk[: exc.start].decode("utf-8", errors="ignore").isascii()
                    not_utf8 = chunk[max(0, exc.start - SAMPLE_BYTES // 2): exc.start + SAMPLE_BYTES // 2]
            out.write(chunk)
    if utf8 and complete:  # a file cut for a preview may end inside a character
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return LocalCopy(path, digest.hexdigest(), size, utf8, head, not_utf8, accents)


# The single-byte encodings spreadsheets and point-of-sale systems write, by the names sellers know.
ENCODINGS = {"cp1252": "Windows-1252", "latin_1": "Latin-1 (ISO-8859-1)", "iso8859_15": "Latin-9 (ISO-8859-15)",
             "cp1250": "Windows-1250", "iso8859_2": "Latin-2 (ISO-8859-2)", "cp1251": "Windows-1251", "mac_roman": "Mac Roman",
             "cp850": "DOS Latin-1 (CP850)", "utf_16_le": "UTF-16 (little-endian)", "utf_16_be": "UTF-16 (big-endian)"}


def encoding_name(codec: str) -> str:
    """'utf-8' -> 'UTF-8', 'cp1252' -> 'Windows-1252': the name a seller knows."""
    return ENCODINGS.get(codec.replace("-", "_").lower(), codec.upper())


def detect_encoding(copy: LocalCopy) -> tuple[str, str]:
    """(Python codec, the name a seller knows). A byte-order mark decides; then UTF-8 when every byte
    of the file is; otherwise charset-normalizer, preferring Windows-1252 (what Excel writes in
    Western locales) among the encodings that read the sample equally well."""
    head = copy.head
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with BOM"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    if (copy.utf8 and b"\x00" not in head) or copy.utf8_accents:
        return "utf-8", "UTF-8"  # (with a stray byte, the line holding it is rejected, not the file misread)
    # A file whose first part is plain ASCII and whose accents come later is told from where they are.
    matches = [m for m in charset_normalizer.from_bytes(copy.not_utf8 or head)
               if {m.encoding, *m.could_be_from_charset} & set(ENCODINGS)]
    if not matches:
        raise FileRejected("the file is not text in an encoding SmartRetail reads (UTF-8, UTF-16, "
                           f"{', '.join(v for k, v in ENCODINGS.items() if not k.startswith('utf'))}); "
                           "export it as UTF-8 CSV, .xlsx or JSON Lines")
    least_chaos = min(m.percent_chaos for m in matches)
    best = [m for m in matches if m.percent_chaos <= least_chaos + 1.0]
    if any("cp1252" in m.could_be_from_charset for m in best):
        codec = "cp1252"
    else:
        codec = next(c for c in [best[0].encoding, *best[0].could_be_from_charset] if c in ENCODINGS)
    return codec, ENCODINGS[codec]


def _sniff(sample: str) -> csv.Dialect | type[csv.Dialect]:
    """The csv module's sniffer over whole lines, checked against the header: it prefers ',' when a
    ';' file's decimal commas are as regular as its delimiters, so a delimiter that splits the
    header into fewer fields than another does is not taken."""
    lines = sample[:SNIFF_CHARS].splitlines()[:SNIFF_LINES]  # the sniffer's time grows with the square of its sample
    whole = "\n".join(lines[:-1] if len(lines) > 1 else lines)
    header = lines[0] if lines else ""
    best_by_header = max(DELIMITERS, key=lambda d: (header.count(d), -DELIMITERS.index(d)))
    try:
        dialect = csv.Sniffer().sniff(whole, delimiters=DELIMITERS)
    except csv.Error:
        dialect = None
    if dialect is None or header.count(dialect.delimiter) < header.count(best_by_header):
        class Detected(csv.excel):
            delimiter = best_by_header if header.count(best_by_header) else ","
        return Detected
    return dialect


@dataclass
class Table:
    """A file opened for reading: its header as written and its rows, which can be read again."""

    reading: Reading
    header: list[str] | None  # None for JSON Lines (each line names its own keys)
    _rows: Callable[[], Iterator[Row]]

    def rows(self) -> Iterator[Row]:
        return self._rows()


def open_table(copy: LocalCopy, content_type: str, options: ReadingOptions, complete: bool = True) -> Table:
    if content_type == XLSX:
        return _open_xlsx(copy, options)
    codec, encoding = detect_encoding(copy)
    if content_type == JSONL:
        reading = Reading(format="jsonl", encoding=encoding)
        return Table(reading, None, lambda: _jsonl_rows(copy.path, codec, complete))
    sample = copy.head.decode(codec, errors="replace").lstrip("\ufeff")
    hint = re.match(r"sep=([,;\t|])\r?\n", sample)  # the line Excel writes (and reads) to name the delimiter
    if hint:
        class Hinted(csv.excel):
            delimiter = hint[1]
        dialect: Any = Hinted
    else:
        dialect = _sniff(sample)
    reading = Reading(format="csv", encoding=encoding, delimiter=dialect.delimiter)

    def rows() -> Iterator[Row]:
        # A file cut for a preview may end inside a character: its last (unread) line may hold it.
        with open(copy.path, encoding=codec, errors="strict" if complete else "replace", newline="") as text:
            if hint:
                text.readline()
            yield from _csv_rows(text, dialect, complete, first_line=2 if hint else 1)

    header_row = next(rows(), None)
    if header_row is None:
        raise FileRejected("the file is empty: expected a header row and data rows")
    return Table(reading, header_row[1]["__header__"], lambda: (r for r in rows() if "__header__" not in (r[1] or {})))


def _csv_rows(text: IO[str], dialect: Any, complete: bool, first_line: int = 1) -> Iterator[Row]:
    reader = csv.reader(text, dialect)
    try:
        header = next(reader)
    except StopIteration:
        return
    if len(header) > MAX_COLUMNS:
        raise FileRejected(f"the header has {len(header):,} columns and at most {MAX_COLUMNS:,} are read: "
                           "is it the right file, with one column per field?")
    header = [h.lstrip("\ufeff").strip() for h in header]
    yield first_line, {"__header__": header}, None
    pending: Row | None = None
    for line_number, values in enumerate(reader, start=first_line + 1):
        if pending:
            yield pending
            pending = None
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header):
            row: Row = (line_number, None, f"row has {len(values)} fields but the header has {len(header)} "
                                           f"(check for unquoted {_DELIMITER_NAMES.get(dialect.delimiter, 'delimiter')}s)")
        else:
            row = (line_number, dict(zip(header, values)), None)
        if complete:
            yield row
        else:
            pending = row  # the last line of a file cut for a preview may be cut too: never shown


def _jsonl_rows(path: str, codec: str, complete: bool) -> Iterator[Row]:
    with open(path, encoding=codec, errors="strict" if complete else "replace", newline="") as text:
        lines = enumerate(text, start=1)
        for line_number, line in lines:
            if not line.strip() or (not complete and not line.endswith("\n")):
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_number, None, f"line is not valid JSON ({exc.msg})"
                continue
            except RecursionError:
                yield line_number, None, "line is nested too deeply to read: a row is one flat JSON object"
                continue
            if not isinstance(obj, dict):
                yield line_number, None, "line must be a JSON object with the dataset's columns"
                continue
            yield line_number, obj, None


# A workbook's XML compresses 5-30x; one that unpacks to more than this is a zip bomb, not sales data.
MAX_UNPACKED_RATIO, MAX_UNPACKED_BYTES = 100, 2 << 30
BLANK_ROWS_ENDING_A_SHEET = 10_000  # formatting left far below the data, not rows


def _unreadable_workbook(exc: Exception) -> FileRejected:
    return FileRejected(f"the file is not a readable .xlsx workbook ({type(exc).__name__}); "
                        "save it again from the spreadsheet as .xlsx or export it as CSV")


def _check_unpacked_size(path: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable_workbook(exc) from None
    limit = min(MAX_UNPACKED_BYTES, max(os.path.getsize(path) * MAX_UNPACKED_RATIO, 10 << 20))
    if unpacked > limit:
        raise FileRejected(f"the workbook unpacks to {unpacked / (1 << 20):,.0f} MB, more than SmartRetail reads "
                           f"({limit / (1 << 20):,.0f} MB for this file): export the sheet as CSV")


@contextmanager
def _workbook(path: str) -> Iterator[Any]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked_size(path)
    with open(path, "rb") as handle:  # a file object: openpyxl judges a path by its extension, and the copy has none
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, ElementTree.ParseError) as exc:
            raise _unreadable_workbook(exc) from None
        try:
            yield book
        except (KeyError, ValueError, TypeError, ElementTree.ParseError, zipfile.BadZipFile) as exc:  # a sheet's XML, while read
            raise _unreadable_workbook(exc) from None
        finally:
            book.close()


def _open_xlsx(copy: LocalCopy, options: ReadingOptions) -> Table:
    with _workbook(copy.path) as book:
        names = book.sheetnames
    sheet = options.sheet or names[0]
    if sheet not in names:
        raise FileRejected(f"the workbook has no sheet {sheet!r}; its sheets: {', '.join(names)}")

    def rows() -> Iterator[Row]:
        with _workbook(copy.path) as book:
            header: list[str] | None = None
            page = book[sheet]
            if not hasattr(page, "iter_rows"):
                raise FileRejected(f"the workbook's sheet {sheet!r} holds no cells (a chart?): name the data sheet with sheet")
            page.reset_dimensions()  # the size a sheet declares may be its whole grid: read only its rows
            blank = 0
            for line_number, cells in enumerate(page.iter_rows(values_only=True), start=1):
                if header is None:
                    if not any(c is not None and str(c).strip() for c in cells):
                        continue  # blank rows above the header
                    header = [("" if c is None else str(c)).strip() for c in cells]
                    while header and not header[-1]:
                        header.pop()
                    if len(header) > MAX_COLUMNS:
                        raise FileRejected(f"the sheet's header has {len(header):,} columns and at most {MAX_COLUMNS:,} are read")
                    yield line_number, {"__header__": header}, None
                    continue
                values = list(cells[: len(header)]) + [None] * (len(header) - len(cells))
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    blank += 1
                    if blank >= BLANK_ROWS_ENDING_A_SHEET:
                        return
                    continue
                blank = 0
                yield line_number, dict(zip(header, values)), None

    first = next(rows(), None)
    if first is None:
        raise FileRejected(f"the sheet {sheet!r} is empty: expected a header row and data rows")
    reading = Reading(format="xlsx", sheet=sheet)
    return Table(reading, first[1]["__header__"], lambda: (r for r in rows() if "__header__" not in (r[1] or {})))


# --- columns ----------------------------------------------------------------------------------------

def check_options(contract: DatasetContract, options: ReadingOptions) -> None:
    """Refuse a declared mapping that names a column the dataset does not have, or one column twice."""
    seen: dict[str, str] = {}
    for header, column in options.column_mapping.items():
        if not header.strip() or len(header) > 128:
            raise InvalidRequest("column_mapping headers must be 1-128 characters", field="column_mapping")
        if column not in contract.column_names:
            raise InvalidRequest(f"column_mapping maps {header!r} to {column!r}, which the {contract.dataset} dataset does not have; "
                                 f"its columns: {', '.join(contract.column_names)}", field="column_mapping")
        if column in seen:
            raise InvalidRequest(f"column_mapping maps both {seen[column]!r} and {header!r} to {column}", field="column_mapping")
        seen[column] = header


@dataclass
class ColumnMap:
    """Which of the file's headers is which dataset column."""

    columns: list[MappedColumn]
    ignored: list[str]
    conflicts: list[str] = field(default_factory=list)

    @property
    def by_header(self) -> dict[str, str]:
        return {c.header: c.column for c in self.columns}

    def missing(self, contract: DatasetContract) -> list[str]:
        mapped = {c.column for c in self.columns}
        return [c for c in contract.required_columns if c not in mapped]


def map_columns(headers: list[str], contract: DatasetContract, options: ReadingOptions) -> ColumnMap:
    """A declared mapping first, then headers that are the column's name, then its known synonyms.
    A synonym never takes a column another header names exactly; two synonyms for one column are a
    choice for the seller, not a guess."""
    declared = {header_key(h): c for h, c in options.column_mapping.items()}
    synonyms = {header_key(s): c.name for c in contract.columns for s in c.synonyms}
    chosen: dict[str, MappedColumn] = {}
    candidates: dict[str, list[str]] = {}
    named = Counter(k for k in map(header_key, headers) if k in contract.column_names or k in declared or k in synonyms)
    twice = [c for c, n in named.items() if n > 1]
    if twice:  # dict rows would keep one of them silently
        raise FileRejected(f"the header names {', '.join(repr(c) for c in twice)} more than once: rename or remove "
                           "the extra column and upload the file again")
    for header in headers:
        key, name = header_key(header), normalise_header(header)
        if key in declared:
            chosen[declared[key]] = MappedColumn(header=header, column=declared[key], by="declared")
        elif name in contract.column_names or key in contract.column_names:
            column = name if name in contract.column_names else key
            chosen.setdefault(column, MappedColumn(header=header, column=column, by="name"))
        elif key in synonyms:
            candidates.setdefault(synonyms[key], []).append(header)
    conflicts = []
    for column, headers_for in candidates.items():
        if column in chosen:
            continue
        if len(headers_for) > 1:
            conflicts.append(f"{' and '.join(repr(h) for h in headers_for)} could each be {column}")
            continue
        chosen[column] = MappedColumn(header=headers_for[0], column=column, by="synonym")
    used = {c.header for c in chosen.values()}
    order = {h: i for i, h in enumerate(headers)}
    columns = sorted(chosen.values(), key=lambda c: order[c.header])
    return ColumnMap(columns, [h for h in headers if h not in used and h], conflicts)


def require_columns(mapping: ColumnMap, contract: DatasetContract, headers: list[str]) -> None:
    if mapping.conflicts:
        raise ChoiceNeeded(f"{'; '.join(mapping.conflicts)}: say which with column_mapping", "column_mapping")
    missing = mapping.missing(contract)
    if missing:
        raise FileRejected(
            f"missing required columns: {', '.join(missing)} "
            f"(the {contract.dataset} contract needs {', '.join(contract.required_columns)}; "
            f"the file's columns are {', '.join(repr(h) for h in headers[:30])}: name yours with column_mapping, "
            'e.g. {"Qty": "units"})'
        )


@lru_cache(maxsize=256)
def _jsonl_map(keys: tuple[str, ...], contract: DatasetContract, options_json: str) -> ColumnMap:
    return map_columns(list(keys), contract, ReadingOptions.model_validate_json(options_json))


def contract_row(raw: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    return {column: raw.get(header) for header, column in mapping.items()}


# --- dates and numbers ------------------------------------------------------------------------------

def settle_format(table: Table, mapping: ColumnMap, contract: DatasetContract, options: ReadingOptions,
                  max_rows: int | None = None) -> ValueFormat:
    """The file's date order and decimal mark: declared, or proved by its own values (a day above 12,
    '3,58'); one that values need and nothing proves is a choice for the seller. Records how each
    was settled on `table.reading`."""
    reading = table.reading
    evidence = FormatEvidence()
    if options.date_order:
        evidence.date_proof = (options.date_order, "")
    if options.decimal_separator:
        evidence.decimal_proof = (options.decimal_separator, "")
    if not evidence.settled(0):
        options_json = options.model_dump_json()
        for seen, (_, raw, _) in enumerate(table.rows(), start=1):
            if raw is None:
                continue
            by_header = mapping.by_header if table.header is not None else _jsonl_map(tuple(map(str, raw)), contract, options_json).by_header
            for header, column in by_header.items():
                value, kind = raw.get(header), contract_kind(contract, column)
                if not isinstance(value, str):
                    continue  # typed cells (a workbook's dates and numbers, JSON numbers) need no format
                if kind in (Kind.DATE, Kind.TIMESTAMP):
                    evidence.see_date(value)
                elif kind in (Kind.DECIMAL, Kind.INTEGER):
                    evidence.see_number(value)
            if evidence.settled(seen) or (max_rows and seen >= max_rows):
                break
    if options.date_order:
        reading.date_order, reading.date_order_by = options.date_order, "declared"
    elif evidence.date_proof:
        order, text = evidence.date_proof
        reading.date_order, reading.date_order_by = order, f"inferred: {text!r} can only be {DATE_ORDER_WORDS[order]}"
    elif evidence.ambiguous_date:
        text = evidence.ambiguous_date
        readings = " or ".join(f"{_day(text, order)} ({order.replace('_', '-')})" for order in ("day_first", "month_first"))
        raise ChoiceNeeded(f"dates such as {text!r} could be {readings} and no date in the file settles it: upload it "
                           f"again with date_order day_first or month_first, or save the order for the {contract.dataset} dataset",
                           "date_order", ["day_first", "month_first"])
    if options.decimal_separator:
        reading.decimal_separator, reading.decimal_separator_by = options.decimal_separator, "declared"
    elif evidence.decimal_proof:
        mark, text = evidence.decimal_proof
        reading.decimal_separator, reading.decimal_separator_by = mark, f"inferred from {text!r}"
    elif evidence.ambiguous_number:
        text = evidence.ambiguous_number
        raise ChoiceNeeded(f"numbers such as {text!r} could be read with ',' or '.' as the decimal mark and no number in the "
                           "file settles it: upload it again with decimal_separator ',' or '.', or save it for the "
                           f"{contract.dataset} dataset", "decimal_separator", [",", "."])
    return ValueFormat(reading.date_order, reading.decimal_separator)


def _day(text: str, order: str) -> str:
    try:
        return read_date(text, order)[0]  # type: ignore[arg-type]
    except ValueError:
        return "no day"


def contract_kind(contract: DatasetContract, column: str) -> Kind | None:
    return next((c.kind for c in contract.columns if c.name == column), None)


# --- the whole file, typed ---------------------------------------------------------------------------

@dataclass
class TypedRow:
    row_number: int
    raw: dict[str, Any] | None      # as the file writes it
    values: dict[str, Any] | None   # typed to the contract, None when quarantined
    reasons: list[str]


@dataclass
class ReadFile:
    """A file opened, mapped and its format settled, ready to be typed row by row."""

    table: Table
    contract: DatasetContract
    mapping: ColumnMap
    fmt: ValueFormat
    options: ReadingOptions
    normalised: Counter = field(default_factory=Counter)

    def typed_rows(self) -> Iterator[TypedRow]:
        by_header = self.mapping.by_header
        options_json = self.options.model_dump_json()
        for row_number, raw, unreadable in self.table.rows():
            if raw is None:
                yield TypedRow(row_number, None, None, [unreadable or "row could not be read"])
                continue
            if self.table.header is None:  # JSON Lines: each line's keys are mapped (the map is cached)
                keyed = {str(k): v for k, v in raw.items()}
                line_map = _jsonl_map(tuple(keyed), self.contract, options_json)
                if line_map.conflicts:
                    yield TypedRow(row_number, raw, None, [f"{c}: say which with column_mapping" for c in line_map.conflicts])
                    continue
                row = contract_row(keyed, line_map.by_header)
            else:
                row = contract_row(raw, by_header)
            values, reasons = self.contract.validate_row(row, self.fmt, self.normalised)
            yield TypedRow(row_number, raw, values, reasons)

    def finish_reading(self) -> Reading:
        self.table.reading.normalised = dict(self.normalised.most_common())
        return self.table.reading


def read_file(copy: LocalCopy, content_type: str, contract: DatasetContract, options: ReadingOptions,
              complete: bool = True, max_rows: int | None = None) -> ReadFile:
    """Open, map and settle a file's format; FileRejected (or ChoiceNeeded) when it cannot be read as
    a whole. The detected reading so far is on the exception's `reading` attribute."""
    table = open_table(copy, content_type, options, complete)
    try:
        if table.header is not None:
            mapping = map_columns(table.header, contract, options)
            table.reading.columns = mapping.columns
            require_columns(mapping, contract, table.header)
        else:
            mapping = ColumnMap([MappedColumn(header=c, column=c, by="name") for c in contract.column_names], [])
        fmt = settle_format(table, mapping, contract, options, max_rows)
    except FileRejected as exc:
        exc.reading, exc.headers = table.reading, table.header  # type: ignore[attr-defined]
        raise
    return ReadFile(table, contract, mapping, fmt, options)


# --- preview ----------------------------------------------------------------------------------------

PREVIEW_ROWS = 20
PREVIEW_MAX_ROWS = 5_000  # what a preview reads and checks at most (it answers within the API's time limit)


def reason_kind(reason: str) -> str:
    """Group reasons for a summary: 'units must be ... (got 'x')' -> 'units must be ...'."""
    return reason.split(" (got ", 1)[0]


def _shown(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if raw is None else {str(k): v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
                                     for k, v in raw.items()}


def preview(data: bytes, content_type: str, contract: DatasetContract, options: ReadingOptions, complete: bool) -> dict[str, Any]:
    """What the check would do with this file (or its first part, `complete=False`): how it is read,
    the mapping, the first rows as written and as typed, the problems, and any choice to make."""
    answer: dict[str, Any] = {"dataset": contract.dataset, "complete": complete, "options": options.model_dump(),
                              "dataset_columns": [{"name": c.name, "required": c.required} for c in contract.columns]}
    with tempfile.TemporaryDirectory() as work:
        copy = copy_locally(io.BytesIO(data), os.path.join(work, "raw"), complete)
        try:
            read = read_file(copy, content_type, contract, options, complete, PREVIEW_MAX_ROWS)
            rows, total, accepted, reasons = [], 0, 0, Counter()
            for row in read.typed_rows():
                if total == PREVIEW_MAX_ROWS:
                    answer["complete"] = False  # the rest is read by the check itself
                    break
                total += 1
                accepted += row.values is not None
                reasons.update(reason_kind(r) for r in row.reasons)
                if len(rows) < PREVIEW_ROWS:
                    rows.append({"row_number": row.row_number, "values": _shown(row.raw), "parsed": row.values, "problems": row.reasons})
        except FileRejected as exc:
            headers = getattr(exc, "headers", None)
            missing = map_columns(headers, contract, options).missing(contract) if headers else []
            return {**answer, "status": "choice_needed" if isinstance(exc, ChoiceNeeded) else "rejected", "message": str(exc),
                    "choice": getattr(exc, "choice", None), "reading": _dumped(getattr(exc, "reading", None)),
                    "headers": headers, "missing_columns": missing}
        except UnicodeDecodeError as exc:
            return {**answer, "status": "rejected", "reading": None,
                    "message": f"the file holds bytes that are not {encoding_name(exc.encoding)} text; "
                               "export it again as UTF-8 CSV, .xlsx or JSON Lines"}
        except csv.Error as exc:
            return {**answer, "status": "rejected", "reading": None, "message": f"the file could not be read as CSV ({exc})"}
    if total == 0:
        return {**answer, "status": "rejected", "message": "the file has a header but no data rows",
                "reading": read.finish_reading().model_dump()}
    return {**answer, "status": "ready", "reading": read.finish_reading().model_dump(), "headers": read.table.header,
            "missing_columns": [],
            "ignored_columns": read.mapping.ignored, "rows_read": total, "rows_accepted": accepted,
            "rows_quarantined": total - accepted, "reason_counts": dict(reasons.most_common()), "rows": rows}


def _dumped(reading: Reading | None) -> dict[str, Any] | None:
    return reading.model_dump() if reading else None
