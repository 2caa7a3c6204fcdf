"""Sellers upload files through presigned POSTs; validation reports what it accepted and why not."""

import base64
import io
from datetime import datetime

import boto3
import openpyxl

from local_stack.demo import upload_file, wait_for_upload
from local_stack.stack import http_json, post_file

GOOD = b"date,store_id,sku_id,units,price,promo_flag\n2024-01-01,S1,A,3,2.50,false\n2024-01-02,S1,A,4,2.50,true\n"


def _slot(local, who="seller", dataset="sales", name="sales.csv", key=None):
    headers = {"Idempotency-Key": key} if key else None
    status, body = http_json("POST", f"{local.api_url}/ingest/{dataset}", local.users.token(who), {"file_name": name}, headers)
    assert status == 201, body
    return body


def _raw_object(local, upload_id):
    s3 = boto3.client("s3")
    bucket = local.function_env("Api")["RAW_BUCKET"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="raw/")["Contents"] if f"/{upload_id}/" in o["Key"]]
    return s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()


def test_a_seller_uploads_a_file_and_sees_it_validated(local, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(GOOD + b"2024-01-03,S1,A,5,2.5,false\n")
    slot = upload_file(local, local.users.token("seller"), "sales", path)
    assert slot["expires_in_seconds"] == 120
    assert slot["max_bytes"] == 64 * 1024
    result = wait_for_upload(local, local.users.token("seller"), slot["upload_id"])
    assert result["status"] == "validated"
    assert result["rows_accepted"] == 3
    assert result["rows_quarantined"] == 0
    assert "key" not in result
    assert "tenant_id" not in result


def test_malformed_rows_are_quarantined_with_reasons_and_the_raw_file_is_kept(local):
    content = GOOD + b"2024-01-03,S1,A,lots,2.5,false\nnot-a-date,S1,A,1,2.5,false\n2024-01-04,S1\n"
    slot = _slot(local, name="messy.csv")
    assert post_file(slot["upload"], "messy.csv", content, "text/csv") == 204
    result = wait_for_upload(local, local.users.token("seller"), slot["upload_id"])
    assert result["status"] == "validated"
    assert (result["rows_total"], result["rows_accepted"], result["rows_quarantined"]) == (5, 2, 3)
    reasons = {row["row_number"]: row["reasons"] for row in result["quarantine_sample"]}
    assert reasons[4] == ["units must be a number like 12.5 (dot as decimal separator) (got 'lots')"]
    assert reasons[5][0].startswith("date must be a date such as 2024-03-31")
    assert reasons[6] == ["row has 2 fields but the header has 6 (check for unquoted commas)"]
    assert _raw_object(local, slot["upload_id"]) == content


def test_a_file_without_required_columns_is_rejected_with_what_is_missing(local):
    slot = _slot(local, name="bad.csv")
    post_file(slot["upload"], "bad.csv", b"day,sku,amount\n2024-01-01,A,1\n", "text/csv")
    result = wait_for_upload(local, local.users.token("seller"), slot["upload_id"])
    assert result["status"] == "rejected"
    assert result["reason"].startswith("missing required columns: store_id, units")


def test_an_upload_over_the_size_limit_is_refused_by_the_presigned_policy(local):
    slot = _slot(local, name="big.csv")
    too_big = GOOD + b"2024-01-05,S1,A,1,2.5,false\n" * (slot["max_bytes"] // 20)
    assert len(too_big) > slot["max_bytes"]
    assert post_file(slot["upload"], "big.csv", too_big, "text/csv") == 400
    status, body = http_json("GET", f"{local.api_url}/ingest/{slot['upload_id']}", local.users.token("seller"))
    assert status == 200
    assert body["status"] == "awaiting_upload"


def test_the_presigned_post_cannot_be_used_for_another_key_or_type(local):
    slot = _slot(local, name="x.csv")
    other_key = {**slot["upload"], "fields": {**slot["upload"]["fields"], "key": "raw/tenant-b/sales/up_x/x.csv"}}
    assert post_file(other_key, "x.csv", GOOD, "text/csv") == 403
    other_type = {**slot["upload"], "fields": {**slot["upload"]["fields"], "Content-Type": "text/html"}}
    assert post_file(other_type, "x.csv", GOOD, "text/html") == 403


def test_a_repeated_request_with_the_same_idempotency_key_returns_the_same_upload(local):
    first = _slot(local, name="same.csv", key="retry-123")
    second = _slot(local, name="same.csv", key="retry-123")
    assert second["upload_id"] == first["upload_id"]
    status, body = http_json("POST", f"{local.api_url}/ingest/inventory", local.users.token("seller"), {"file_name": "same.csv"}, {"Idempotency-Key": "retry-123"})
    assert status == 409
    assert body["field"] == "Idempotency-Key"


def test_the_same_content_uploaded_twice_is_not_counted_twice(local):
    content = b"date,store_id,sku_id,units\n2023-05-01,S9,DUP,7\n"
    first, second = _slot(local, name="d1.csv"), _slot(local, name="d2.csv")
    post_file(first["upload"], "d1.csv", content, "text/csv")
    first_result = wait_for_upload(local, local.users.token("seller"), first["upload_id"])
    post_file(second["upload"], "d2.csv", content, "text/csv")
    second_result = wait_for_upload(local, local.users.token("seller"), second["upload_id"])
    assert first_result["status"] == "validated"
    assert second_result["status"] == "duplicate"
    assert second_result["duplicate_of"] == first["upload_id"]


def test_another_tenants_upload_is_not_found_and_nothing_leaks(local):
    slot = _slot(local, name="secret.csv")
    status, body = http_json("GET", f"{local.api_url}/ingest/{slot['upload_id']}", local.users.token("other_seller"))
    assert status == 404
    assert body == {"error": f"upload {slot['upload_id']} not found", "field": "upload_id"}
    status, listing = http_json("GET", f"{local.api_url}/ingest", local.users.token("other_seller"))
    assert status == 200
    assert slot["upload_id"] not in {u["upload_id"] for u in listing["uploads"]}


def test_bad_requests_get_messages_a_person_can_act_on(local):
    token = local.users.token("seller")
    status, body = http_json("POST", f"{local.api_url}/ingest/orders", token, {"file_name": "o.csv"})
    assert status == 404
    assert "use one of: competitor-prices, inventory, products, sales, shopper-events" in body["error"]
    status, body = http_json("POST", f"{local.api_url}/ingest/sales", token, {"file_name": "s.xls"})
    assert status == 422
    assert body["field"] == "file_name"
    status, body = http_json("POST", f"{local.api_url}/ingest/sales", token, {})
    assert status == 422
    assert body["field"] == "file_name"


EUROPEAN = b"Datum;Filiale;Artikel;Menge;Preis\r\n01.07.2026;S01;BEV-001;3;3,58\r\n02.07.2026;S01;BEV-001;1.200;2,10\r\n"


def _preview(local, content: bytes, name="sales.csv", who="seller", **extra):
    body = {"file_name": name, "content_base64": base64.b64encode(content).decode(), **extra}
    return http_json("POST", f"{local.api_url}/ingest/sales/preview", local.users.token(who), body)


def test_a_seller_previews_a_file_makes_the_choice_it_names_and_uploads_it_read_that_way(local):
    status, answer = _preview(local, EUROPEAN)
    assert status == 200
    assert answer["status"] == "choice_needed" and answer["choice"]["option"] == "date_order"
    assert answer["reading"]["delimiter"] == ";"
    assert [c["column"] for c in answer["reading"]["columns"]] == ["date", "store_id", "sku_id", "units", "price"]

    status, answer = _preview(local, EUROPEAN, options={"date_order": "day_first"})
    assert answer["status"] == "ready" and answer["rows_accepted"] == 2
    assert answer["rows"][1]["parsed"]["units"] == 1200 and answer["rows"][1]["values"]["Menge"] == "1.200"

    status, slot = http_json("POST", f"{local.api_url}/ingest/sales", local.users.token("seller"),
                             {"file_name": "umsatz.csv", "options": {"date_order": "day_first"}})
    assert status == 201
    post_file(slot["upload"], "umsatz.csv", EUROPEAN, "text/csv")
    result = wait_for_upload(local, local.users.token("seller"), slot["upload_id"])
    assert result["status"] == "validated" and result["rows_accepted"] == 2
    assert result["reading"]["normalised"] == {"dates read as day-first": 2, "numbers with a decimal comma": 2,
                                               "numbers with thousands separators": 1}
    assert _raw_object(local, slot["upload_id"]) == EUROPEAN


def test_an_xlsx_workbook_is_uploaded_and_read(local):
    book = openpyxl.Workbook()
    book.active.append(["Date", "Store", "SKU", "Qty"])
    book.active.append([datetime(2026, 7, 3), "S01", "XL-1", 4])
    data = io.BytesIO()
    book.save(data)
    status, answer = _preview(local, data.getvalue(), name="sales.xlsx")
    assert status == 200 and answer["status"] == "ready", answer
    slot = _slot(local, name="sales.xlsx")
    assert slot["content_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert post_file(slot["upload"], "sales.xlsx", data.getvalue(), slot["content_type"]) == 204
    result = wait_for_upload(local, local.users.token("seller"), slot["upload_id"])
    assert result["status"] == "validated" and result["reading"]["format"] == "xlsx"


def test_reading_settings_are_saved_per_tenant_and_dataset_and_audited(local):
    token = local.users.token("manager")
    status, saved = http_json("PUT", f"{local.api_url}/ingest/inventory/settings", token,
                              {"date_order": "day_first", "column_mapping": {"Bestand": "on_hand"}})
    assert status == 200 and saved["updated_by"]
    status, mine = http_json("GET", f"{local.api_url}/ingest/inventory/settings", local.users.token("seller"))
    assert mine["date_order"] == "day_first" and mine["column_mapping"] == {"Bestand": "on_hand"}
    status, theirs = http_json("GET", f"{local.api_url}/ingest/inventory/settings", local.users.token("other_seller"))
    assert status == 200 and theirs["date_order"] is None and theirs["column_mapping"] == {}
    status, body = http_json("PUT", f"{local.api_url}/ingest/inventory/settings", token, {"column_mapping": {"Bestand": "stock"}})
    assert status == 422 and "does not have" in body["error"]
    status, body = http_json("PUT", f"{local.api_url}/ingest/inventory/settings", local.users.token("admin"), {"date_order": "month_first"})
    assert status == 403
    status, audit = http_json("GET", f"{local.api_url}/audit?entity=ingest-settings%23inventory", local.users.token("admin"))
    assert status == 200
    assert audit["entries"][0]["action"] == "ingest.settings.updated"
    assert audit["entries"][0]["after"]["column_mapping"] == {"Bestand": "on_hand"}


def test_a_preview_refuses_what_it_cannot_read_with_a_reason(local):
    status, body = http_json("POST", f"{local.api_url}/ingest/sales/preview", local.users.token("seller"),
                             {"file_name": "s.csv", "content_base64": "not base64!"})
    assert status == 422 and body["field"] == "content_base64"
    status, body = _preview(local, b"PK\x03\x04", name="s.xlsx", complete=False)
    assert status == 422 and body["field"] == "complete"
