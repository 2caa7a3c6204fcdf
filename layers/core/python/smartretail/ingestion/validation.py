"""Validating an uploaded file against its dataset contract.

Copies the file once to local disk (hashing it for idempotency on content), reads it as it was
exported (`reading`: encoding, delimiter or sheet, column mapping, date order and decimal mark),
types every row, and writes accepted rows and quarantined rows (with reasons) to their own objects.
The raw object is only ever read.
"""

import csv
import json
import os
import tempfile
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

from ..contracts import CONTRACTS, DatasetContract
from ..errors import Conflict, ServiceUnavailable
from ..lake import accepted_key, parse_raw_key, quarantine_key
from ..models import QuarantinedRow, UploadRecord, UploadStatus, utc_now
from ..ports import ObjectStore, UploadRepository
from .reading import ChoiceNeeded, FileRejected, copy_locally, encoding_name, read_file, reason_kind

QUARANTINE_SAMPLE_SIZE = 50
# Longer than the validation function's timeout (10 minutes): a claim this old belongs to an invocation
# that died (timeout, out of memory), and one that lived would have finished.
STALE_CLAIM = timedelta(minutes=15)


def older_than(timestamp: str, age: timedelta) -> bool:
    return datetime.now(timezone.utc) - datetime.fromisoformat(timestamp.replace("Z", "+00:00")) > age


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
        copy = copy_locally(self._store.open_read(self._bucket, record.key), os.path.join(work, "raw"))
        record.content_sha256, record.size_bytes = copy.sha256, copy.size
        accepted_path = os.path.join(work, "accepted.jsonl")
        quarantine_path = os.path.join(work, "quarantine.jsonl")
        counts: Counter[str] = Counter()
        sample: list[QuarantinedRow] = []
        total = accepted = quarantined = 0
        try:
            read = read_file(copy, record.content_type, contract, record.reading_options)
            record.reading = read.table.reading
            record.ignored_columns = read.mapping.ignored
            with open(accepted_path, "w", encoding="utf-8") as ok_out, open(quarantine_path, "w", encoding="utf-8") as bad_out:
                for row in read.typed_rows():
                    total += 1
                    if row.values is None:
                        quarantined += 1
                        counts.update(reason_kind(r) for r in row.reasons)
                        if len(sample) < QUARANTINE_SAMPLE_SIZE:
                            sample.append(QuarantinedRow(row_number=row.row_number, reasons=row.reasons))
                        bad_out.write(json.dumps({"row_number": row.row_number, "reasons": row.reasons, "row": row.raw},
                                                 default=str) + "\n")
                        continue
                    accepted += 1
                    values = {**row.values, "upload_id": record.upload_id, "ingested_at": record.created_at,
                              "row_number": row.row_number}
                    ok_out.write(json.dumps(values) + "\n")
            if total == 0:
                raise FileRejected("the file has a header but no data rows")
            record.reading = read.finish_reading()
        except UnicodeDecodeError as exc:
            read_as = record.reading.encoding if record.reading else encoding_name(exc.encoding)
            where = f" (after row {total + 1})" if total else ""
            self._reject(record, f"the file holds bytes that are not {read_as} text{where}; "
                                 "export it again as UTF-8 CSV, .xlsx or JSON Lines")
            return
        except csv.Error as exc:  # a field over the CSV reader's limit, a NUL byte: not a CSV it can read
            self._reject(record, f"the file could not be read as CSV after row {total + 1} ({exc}); "
                                 "export it again as CSV or JSON Lines")
            return
        except FileRejected as exc:
            record.reading = getattr(exc, "reading", record.reading)
            self._reject(record, str(exc), UploadStatus.HELD if isinstance(exc, ChoiceNeeded) else UploadStatus.REJECTED)
            return

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
    def _reject(record: UploadRecord, reason: str, status: UploadStatus = UploadStatus.REJECTED) -> None:
        record.status = status
        record.reason = reason
