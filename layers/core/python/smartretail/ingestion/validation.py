"""Validating an uploaded file against its dataset contract.

Streams the file once: hashes it (for idempotency on content), checks the header, types every row,
writes accepted rows and quarantined rows (with reasons) to their own objects. The raw object is
only ever read.
"""

import csv
import hashlib
import io
import json
import os
import tempfile
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import IO, Any, Iterator

from ..contracts import CONTRACTS, DatasetContract, normalise_header
from ..errors import Conflict, ServiceUnavailable
from ..lake import accepted_key, parse_raw_key, quarantine_key
from ..models import QuarantinedRow, UploadRecord, UploadStatus, utc_now
from ..ports import ObjectStore, UploadRepository

QUARANTINE_SAMPLE_SIZE = 50
# Longer than the validation function's timeout (10 minutes): a claim this old belongs to an invocation
# that died (timeout, out of memory), and one that lived would have finished.
STALE_CLAIM = timedelta(minutes=15)


def older_than(timestamp: str, age: timedelta) -> bool:
    return datetime.now(timezone.utc) - datetime.fromisoformat(timestamp.replace("Z", "+00:00")) > age


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, header)."""


class _HashingReader(io.RawIOBase):
    """Wraps a byte stream and hashes what passes through it."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._stream.read(len(buffer))
        if not chunk:
            return 0
        self.sha256.update(chunk)
        self.size += len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def drain(self) -> None:
        while self.read(1 << 20):
            pass


def _text(reader: _HashingReader) -> IO[str]:
    return io.TextIOWrapper(io.BufferedReader(reader, 1 << 20), encoding="utf-8-sig", errors="strict", newline="")


# A header wider than this is not one of our datasets (and its ignored columns would not fit a record).
MAX_COLUMNS = 1000


def _csv_rows(text: IO[str], contract: DatasetContract) -> Iterator[tuple[int, dict | None, str | None]]:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("the file is empty: expected a header row and data rows") from None
    if len(header) > MAX_COLUMNS:
        raise FileRejected(f"the header has {len(header):,} columns and at most {MAX_COLUMNS:,} are read: "
                           f"is it the {contract.dataset} file, with one column per field?")
    columns = [normalise_header(h) for h in header]
    yield 1, {"__header__": columns}, None
    for line_number, values in enumerate(reader, start=2):
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(columns):
            yield line_number, None, (
                f"row has {len(values)} fields but the header has {len(columns)} "
                "(check for unquoted commas)"
            )
            continue
        yield line_number, dict(zip(columns, values)), None


def _jsonl_rows(text: IO[str], contract: DatasetContract) -> Iterator[tuple[int, dict | None, str | None]]:
    yield 0, {"__header__": list(contract.column_names)}, None
    for line_number, line in enumerate(text, start=1):
        if not line.strip():
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
        yield line_number, {normalise_header(k): v for k, v in obj.items()}, None


def _reason_kind(reason: str) -> str:
    """Group reasons for the summary: 'units must be ... (got 'x')' -> 'units must be ...'."""
    return reason.split(" (got ", 1)[0]


class ValidationService:
    def __init__(self, store: ObjectStore, repo: UploadRepository, raw_bucket: str):
        self._store = store
        self._repo = repo
        self._bucket = raw_bucket

    def handle_object_created(self, bucket: str, key: str, attempt: str | None = None) -> UploadRecord | None:
        """Validate the object at `key`; None when it is not an upload waiting for its file, or
        another invocation is checking it. `attempt` names this invocation: Lambda retries an event
        with the same request id, so a retry takes its own claim back."""
        parsed = parse_raw_key(key)
        if bucket != self._bucket or parsed is None:
            return None
        tenant_id, dataset, upload_id, _ = parsed
        record = self._repo.get(tenant_id, upload_id)
        if record is None or record.key != key or dataset not in CONTRACTS:
            return None
        claimed = self._claim(record, attempt or uuid.uuid4().hex)
        if claimed is None:
            return None
        try:
            with tempfile.TemporaryDirectory() as work:
                self._validate(claimed, CONTRACTS[dataset], work)
        except ServiceUnavailable:
            raise  # a dependency failed: the retry of this event takes the claim back and checks again
        except Exception as exc:
            # A file that broke the checker: it ends rejected with a reason (the error is re-raised
            # for the function's error metric and alarm; the retry finds it checked and stops).
            claimed.status = UploadStatus.REJECTED
            claimed.reason = (f"SmartRetail could not check this file ({type(exc).__name__}); it is kept as uploaded and "
                              "operations have been alerted: upload it again later or contact support")
            self._finish(claimed)
            raise
        self._finish(claimed)
        return claimed

    def _claim(self, record: UploadRecord, attempt: str) -> UploadRecord | None:
        """Turn the upload to `validating` for this attempt with a conditional write: a duplicate
        event, a file posted again, or a second concurrent invocation finds it claimed or checked and
        stops. A claim older than STALE_CLAIM (its invocation died) may be taken over."""
        mine = record.status is UploadStatus.VALIDATING and (record.attempt == attempt or older_than(record.updated_at, STALE_CLAIM))
        if record.status is not UploadStatus.AWAITING_UPLOAD and not mine:
            return None
        expect = (record.status, record.attempt)
        record.status, record.attempt, record.updated_at = UploadStatus.VALIDATING, attempt, utc_now()
        try:
            self._repo.save(record, expect=expect)
        except Conflict:
            return None
        return record

    def _finish(self, record: UploadRecord) -> None:
        record.updated_at = utc_now()
        try:
            self._repo.save(record, expect=(UploadStatus.VALIDATING, record.attempt))
        except Conflict:
            pass  # a later attempt took this claim over as stale; its result stands

    def _validate(self, record: UploadRecord, contract: DatasetContract, work: str) -> None:
        accepted_path = os.path.join(work, "accepted.jsonl")
        quarantine_path = os.path.join(work, "quarantine.jsonl")
        stream = _HashingReader(self._store.open_read(self._bucket, record.key))
        counts: Counter[str] = Counter()
        sample: list[QuarantinedRow] = []
        total = accepted = quarantined = 0
        try:
            text = _text(stream)
            parse = _jsonl_rows if record.content_type == "application/x-ndjson" else _csv_rows
            rows = parse(text, contract)
            with open(accepted_path, "w", encoding="utf-8") as ok_out, open(
                quarantine_path, "w", encoding="utf-8"
            ) as bad_out:
                _, header, _ = next(rows)
                missing, ignored = contract.check_header(header["__header__"])
                if missing and parse is _csv_rows:
                    raise FileRejected(
                        f"missing required columns: {', '.join(missing)} "
                        f"(the {contract.dataset} contract needs {', '.join(contract.required_columns)})"
                    )
                record.ignored_columns = ignored
                for row_number, raw, parse_error in rows:
                    total += 1
                    values, reasons = (None, [parse_error]) if parse_error else contract.validate_row(raw)
                    if values is None:
                        quarantined += 1
                        counts.update(_reason_kind(r) for r in reasons)
                        if len(sample) < QUARANTINE_SAMPLE_SIZE:
                            sample.append(QuarantinedRow(row_number=row_number, reasons=reasons))
                        bad_out.write(
                            json.dumps({"row_number": row_number, "reasons": reasons, "row": raw}, default=str)
                            + "\n"
                        )
                        continue
                    accepted += 1
                    values["upload_id"] = record.upload_id
                    values["ingested_at"] = record.created_at
                    values["row_number"] = row_number
                    ok_out.write(json.dumps(values) + "\n")
            if total == 0:
                raise FileRejected("the file has a header but no data rows")
        except UnicodeDecodeError:
            self._reject(record, stream, "the file is not UTF-8 text; export it as UTF-8 CSV or JSON Lines")
            return
        except csv.Error as exc:  # a field over the CSV reader's limit, a NUL byte: not a CSV it can read
            self._reject(record, stream, f"the file could not be read as CSV after row {total + 1} ({exc}); "
                                         "export it again as CSV or JSON Lines")
            return
        except FileRejected as exc:
            self._reject(record, stream, str(exc))
            return

        stream.drain()
        record.content_sha256 = stream.sha256.hexdigest()
        record.size_bytes = stream.size
        record.rows_total, record.rows_accepted, record.rows_quarantined = total, accepted, quarantined
        record.reason_counts = dict(counts.most_common())
        record.quarantine_sample = sample
        owner = self._repo.claim_content(record.tenant_id, record.dataset, record.content_sha256, record.upload_id)
        if owner != record.upload_id:
            record.status = UploadStatus.DUPLICATE
            record.duplicate_of = owner
            record.reason = f"identical content was already uploaded as {owner}; its rows are not counted again"
            return
        record.accepted_key = accepted_key(record.tenant_id, record.dataset, record.upload_id)
        self._store.put_file(self._bucket, record.accepted_key, accepted_path, "application/x-ndjson")
        if quarantined:
            record.quarantine_key = quarantine_key(record.tenant_id, record.dataset, record.upload_id)
            self._store.put_file(self._bucket, record.quarantine_key, quarantine_path, "application/x-ndjson")
        record.status = UploadStatus.VALIDATED
        record.reason = None

    @staticmethod
    def _reject(record: UploadRecord, stream: _HashingReader, reason: str) -> None:
        stream.drain()
        record.content_sha256 = stream.sha256.hexdigest()
        record.size_bytes = stream.size
        record.status = UploadStatus.REJECTED
        record.reason = reason
