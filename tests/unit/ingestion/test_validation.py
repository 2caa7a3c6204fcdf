import json

import pytest

from smartretail.adapters.memory import MemoryObjectStore, MemoryUploadRepository
from smartretail.ingestion.uploads import UploadLimits, UploadService
from smartretail.ingestion.validation import ValidationService
from smartretail.models import UploadStatus

BUCKET = "raw"


@pytest.fixture
def env():
    store, repo = MemoryObjectStore(), MemoryUploadRepository()
    uploads = UploadService(store, repo, BUCKET, UploadLimits(1024 * 1024, 60))
    return store, repo, uploads, ValidationService(store, repo, BUCKET)


def _upload(env, tenant, dataset, name, content: bytes):
    store, repo, uploads, validator = env
    slot = uploads.create(tenant, "user-1", dataset, name, None, None)
    key = repo.get(tenant, slot["upload_id"]).key
    store.put_bytes(BUCKET, key, content)
    return validator.handle_object_created(BUCKET, key), key


def _lines(store, key):
    return [json.loads(line) for line in store.objects[(BUCKET, key)].decode().splitlines()]


def test_malformed_rows_are_quarantined_with_reasons_and_nothing_is_lost(env):
    store = env[0]
    content = (
        b"date,store_id,sku_id,units,price\n"
        b"2024-01-01,S1,A,3,2.5\n"
        b"2024-01-02,S1,A,three,2.5\n"
        b"2024-13-01,S1,A,1,2.5\n"
        b"2024-01-03,S1,A,1,2.5,extra\n"
    )
    record, key = _upload(env, "t1", "sales", "s.csv", content)
    assert record.status is UploadStatus.VALIDATED
    assert (record.rows_total, record.rows_accepted, record.rows_quarantined) == (4, 1, 3)
    quarantined = _lines(store, record.quarantine_key)
    assert [q["row_number"] for q in quarantined] == [3, 4, 5]
    assert "units must be a number" in quarantined[0]["reasons"][0]
    assert quarantined[0]["row"]["units"] == "three"  # the row as sent, for the seller to fix
    assert "row has 6 fields but the header has 5" in quarantined[2]["reasons"][0]
    assert store.objects[(BUCKET, key)] == content  # the raw upload is untouched
    assert _lines(store, record.accepted_key)[0]["units"] == 3.0


def test_a_file_missing_required_columns_is_rejected_with_the_names(env):
    record, _ = _upload(env, "t1", "sales", "s.csv", b"date,sku_id,units\n2024-01-01,A,1\n")
    assert record.status is UploadStatus.REJECTED
    assert record.reason.startswith("missing required columns: store_id")
    assert record.accepted_key is None


def test_the_same_content_uploaded_twice_is_counted_once(env):
    content = b"date,store_id,sku_id,units\n2024-01-01,S1,A,3\n"
    first, _ = _upload(env, "t1", "sales", "a.csv", content)
    second, _ = _upload(env, "t1", "sales", "b.csv", content)
    assert first.status is UploadStatus.VALIDATED
    assert second.status is UploadStatus.DUPLICATE
    assert second.duplicate_of == first.upload_id
    assert second.accepted_key is None
    other_tenant, _ = _upload(env, "t2", "sales", "a.csv", content)
    assert other_tenant.status is UploadStatus.VALIDATED


def test_json_lines_are_validated_row_by_row(env):
    content = b'{"date": "2024-01-01", "store_id": "S1", "sku_id": "A", "units": 2}\nnot json\n[1, 2]\n{"date": "2024-01-02"}\n'
    record, _ = _upload(env, "t1", "sales", "s.jsonl", content)
    assert (record.rows_accepted, record.rows_quarantined) == (1, 3)
    reasons = {q.row_number: q.reasons for q in record.quarantine_sample}
    assert reasons[2][0].startswith("line is not valid JSON")
    assert reasons[3] == ["line must be a JSON object with the dataset's columns"]
    assert "store_id is required" in reasons[4]


def test_a_file_no_text_encoding_fits_and_empty_files_are_rejected_with_a_reason(env):
    binary, _ = _upload(env, "t1", "products", "p.csv", bytes(range(256)) * 64)
    assert binary.status is UploadStatus.REJECTED
    assert "UTF-8" in binary.reason
    empty, _ = _upload(env, "t1", "products", "q.csv", b"")
    assert empty.status is UploadStatus.REJECTED
    assert "empty" in empty.reason
    header_only, _ = _upload(env, "t1", "products", "r.csv", b"sku_id,name,category\n")
    assert header_only.status is UploadStatus.REJECTED
    assert "no data rows" in header_only.reason


def test_objects_that_are_not_pending_uploads_are_ignored(env):
    store, _, _, validator = env
    store.put_bytes(BUCKET, "raw/t1/sales/up_unknown/x.csv", b"date\n")
    assert validator.handle_object_created(BUCKET, "raw/t1/sales/up_unknown/x.csv") is None
    assert validator.handle_object_created(BUCKET, "accepted/t1/sales/up_x.jsonl") is None


def test_a_throttled_s3_call_fails_the_run_and_the_retried_event_completes_it(env):
    from smartretail.adapters.memory import aws_error
    from smartretail.errors import ServiceUnavailable

    store, repo, uploads, validator = env
    slot = uploads.create("t1", "user-1", "sales", "s.csv", None, None)
    key = repo.get("t1", slot["upload_id"]).key
    store.put_bytes(BUCKET, key, b"date,store_id,sku_id,units\n2024-01-01,S1,A,3\n")
    store.fail_next(aws_error("SlowDown", "PutObject"))
    with pytest.raises(ServiceUnavailable):  # Lambda's retry of the event is what recovers: nothing may swallow it
        validator.handle_object_created(BUCKET, key, "request-1")
    assert repo.get("t1", slot["upload_id"]).status is UploadStatus.VALIDATING
    assert validator.handle_object_created(BUCKET, key, "request-2") is None  # a duplicate event meanwhile: claimed
    record = validator.handle_object_created(BUCKET, key, "request-1")  # Lambda's retry keeps the request id
    assert (record.status, record.rows_accepted) == (UploadStatus.VALIDATED, 1)


def test_a_file_that_breaks_the_checker_ends_rejected_with_a_reason_and_stays_as_uploaded(env, monkeypatch):
    from smartretail.ingestion import reading

    store, repo, uploads, validator = env
    slot = uploads.create("t1", "user-1", "sales", "s.csv", None, None)
    key = repo.get("t1", slot["upload_id"]).key
    content = b"date,store_id,sku_id,units\n2024-01-01,S1,A,3\n"
    store.put_bytes(BUCKET, key, content)

    def broken(*_, **__):
        raise MemoryError("the function ran out of memory")

    monkeypatch.setattr(reading, "_csv_rows", broken)
    with pytest.raises(MemoryError):  # re-raised: the function's error metric and alarm see it
        validator.handle_object_created(BUCKET, key, "request-1")
    record = repo.get("t1", slot["upload_id"])
    assert record.status is UploadStatus.REJECTED
    assert "could not check this file (MemoryError)" in record.reason and "upload it again" in record.reason
    assert store.objects[(BUCKET, key)] == content
    assert validator.handle_object_created(BUCKET, key, "request-1") is None  # the retry finds it checked


def test_a_check_that_died_shows_rejected_and_a_late_event_may_take_it_over(env):
    from smartretail.ingestion.uploads import public_view

    store, repo, uploads, validator = env
    slot = uploads.create("t1", "user-1", "sales", "s.csv", None, None)
    record = repo.get("t1", slot["upload_id"])
    store.put_bytes(BUCKET, record.key, b"date,store_id,sku_id,units\n2024-01-01,S1,A,3\n")
    record.status, record.attempt, record.updated_at = UploadStatus.VALIDATING, "died", "2026-01-01T00:00:00+00:00"
    repo.save(record)  # an invocation that timed out an hour ago
    view = public_view(repo.get("t1", slot["upload_id"]))
    assert view["status"] == "rejected" and "did not finish" in view["reason"] and "attempt" not in view
    done = validator.handle_object_created(BUCKET, record.key, "request-9")
    assert done.status is UploadStatus.VALIDATED
    assert public_view(done)["status"] == "validated"


def test_a_file_posted_again_after_validation_changes_nothing_and_gets_no_new_upload_url(env):
    store, repo, uploads, validator = env
    slot = uploads.create("t1", "user-1", "sales", "s.csv", None, "key-1")
    key = slot["upload"]["fields"]["key"]
    store.put_bytes(BUCKET, key, b"date,store_id,sku_id,units\n2024-01-01,S1,A,3\n")
    first = validator.handle_object_created(BUCKET, key)
    accepted = store.objects[(BUCKET, first.accepted_key)]
    replay = uploads.create("t1", "user-1", "sales", "s.csv", None, "key-1")  # the same request again
    assert replay["upload"] is None
    assert replay["status"] == "validated"
    store.put_bytes(BUCKET, key, b"date,store_id,sku_id,units\n2024-01-01,S1,A,999\n")  # the old URL, still valid
    assert validator.handle_object_created(BUCKET, key) is None  # ignored, as for any object that is not a pending upload
    again = repo.get("t1", first.upload_id)
    assert (again.status, again.rows_accepted, again.content_sha256) == (first.status, 1, first.content_sha256)
    assert store.objects[(BUCKET, first.accepted_key)] == accepted


def test_a_field_too_long_for_the_csv_reader_rejects_the_file_with_a_reason(env):
    record, _ = _upload(env, "t1", "sales", "s.csv", b"date,store_id,sku_id,units\n2024-01-01,S1,A," + b"9" * 200_000 + b"\n")
    assert record.status is UploadStatus.REJECTED
    assert "could not be read as CSV" in record.reason


def test_a_deeply_nested_json_line_is_quarantined_and_the_rest_read(env):
    nested = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    content = b'{"date": "2024-01-01", "store_id": "S1", "sku_id": "A", "units": 3}\n' + nested + b"\n"
    record, _ = _upload(env, "t1", "sales", "s.jsonl", content)
    assert (record.status, record.rows_accepted, record.rows_quarantined) == (UploadStatus.VALIDATED, 1, 1)
    assert "nested too deeply" in record.quarantine_sample[0].reasons[0]


def test_a_header_of_thousands_of_columns_is_rejected_with_a_reason(env):
    header = ",".join(["date", "store_id", "sku_id", "units"] + [f"c{i}" for i in range(20_000)])
    row = ",".join(["2024-01-01", "S1", "A", "3"] + ["x"] * 20_000)  # its ignored columns would not fit the upload's record
    record, _ = _upload(env, "t1", "sales", "s.csv", f"{header}\n{row}\n".encode())
    assert record.status is UploadStatus.REJECTED
    assert "20,004 columns" in record.reason
