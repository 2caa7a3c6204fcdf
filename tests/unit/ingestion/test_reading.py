"""Sellers' files as spreadsheets and point-of-sale systems export them are read, not rejected: the
encoding, delimiter, column names, dates and numbers are detected, and the upload says how."""

import io
import json
from datetime import datetime

import openpyxl
import pytest

from smartretail.adapters.memory import MemoryItemStore, MemoryObjectStore, MemoryUploadRepository
from smartretail.audit import AuditTrail
from smartretail.auth import Principal
from smartretail.errors import InvalidRequest
from smartretail.ingestion.uploads import UploadLimits, UploadService
from smartretail.ingestion.validation import ValidationService
from smartretail.models import ReadingOptions, UploadStatus

BUCKET = "raw"


@pytest.fixture
def env():
    store, repo, items = MemoryObjectStore(), MemoryUploadRepository(), MemoryItemStore()
    uploads = UploadService(store, repo, BUCKET, UploadLimits(1024 * 1024, 60), items, AuditTrail(MemoryItemStore()))
    return store, repo, uploads, ValidationService(store, repo, BUCKET)


def _check(env, name, content: bytes, dataset="sales", tenant="t1", **options):
    store, repo, uploads, validator = env
    slot = uploads.create(tenant, "user-1", dataset, name, None, None, ReadingOptions(**options) if options else None)
    key = repo.get(tenant, slot["upload_id"]).key
    store.put_bytes(BUCKET, key, content)
    return validator.handle_object_created(BUCKET, key)


def _accepted(env, record):
    return [json.loads(line) for line in env[0].objects[(BUCKET, record.accepted_key)].decode().splitlines()]


def _xlsx(rows, sheet="Sheet1", extra_sheet=None) -> bytes:
    book = openpyxl.Workbook()
    if extra_sheet:
        book.active.title = extra_sheet
        book.active.append(["notes"])
        page = book.create_sheet(sheet)
    else:
        page = book.active
        page.title = sheet
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_csv_in_a_european_locale_is_read_with_its_semicolons_dates_and_decimal_commas(env):
    content = b"date;store_id;sku_id;units;price\r\n01.07.2026;S01;BEV-001;3;3,58\r\n13.07.2026;S01;BEV-001;1.200;2,10\r\n"
    record = _check(env, "sales.csv", content)
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert record.rows_accepted == 2
    rows = _accepted(env, record)
    assert [(r["date"], r["units"], r["price"]) for r in rows] == [("2026-07-01", 3, 3.58), ("2026-07-13", 1200, 2.10)]
    reading = record.reading
    assert (reading.format, reading.encoding, reading.delimiter) == ("csv", "UTF-8", ";")
    assert reading.date_order == "day_first" and "'13.07.2026'" in reading.date_order_by
    assert reading.decimal_separator == ","
    assert reading.normalised == {"dates read as day-first": 2, "numbers with a decimal comma": 2, "numbers with thousands separators": 1}
    assert env[0].objects[(BUCKET, record.key)] == content  # raw stays as sent


def test_us_dates_currency_signs_and_thousands_separators_are_normalised_and_counted(env):
    content = b'date,store_id,sku_id,units,price\n7/1/2026,S01,BEV-001,3,$3.58\n7/13/2026 2:30 PM,S01,BEV-001,"1,200",$1.99\n'
    record = _check(env, "sales.csv", content)
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert [(r["date"], r["units"], r["price"]) for r in _accepted(env, record)] == [("2026-07-01", 3, 3.58), ("2026-07-13", 1200, 1.99)]
    assert record.reading.date_order == "month_first"
    assert record.reading.normalised["dates read as month-first"] == 2
    assert record.reading.normalised["numbers with a currency sign removed"] == 2
    assert record.reading.normalised["dates with a time of day (the day is kept)"] == 1


def test_dates_nothing_settles_are_held_with_the_choice_to_make_and_read_once_it_is_made(env):
    content = b"date,store_id,sku_id,units\n01/07/2026,S01,BEV-001,3\n02/07/2026,S01,BEV-001,4\n"
    held = _check(env, "sales.csv", content)
    assert held.status is UploadStatus.HELD
    assert "date_order day_first or month_first" in held.reason
    assert "2026-07-01 (day-first) or 2026-01-07 (month-first)" in held.reason
    assert held.accepted_key is None and held.content_sha256  # nothing counted, the file kept as sent

    declared = _check(env, "sales-again.csv", content, date_order="day_first")
    assert declared.status is UploadStatus.VALIDATED
    assert [r["date"] for r in _accepted(env, declared)] == ["2026-07-01", "2026-07-02"]
    assert declared.reading.date_order_by == "declared"
    assert declared.reading_options.date_order == "day_first"  # recorded with the upload


def test_rows_written_against_the_declared_date_order_are_quarantined_with_the_reason(env):
    content = b"date,store_id,sku_id,units\n13/07/2026,S01,A,3\n07/14/2026,S01,A,4\n"
    record = _check(env, "sales.csv", content, date_order="day_first")
    assert (record.rows_accepted, record.rows_quarantined) == (1, 1)
    assert record.quarantine_sample[0].reasons == ["date is not a day-first (DD/MM/YYYY) date (got '07/14/2026')"]


def test_excels_sep_line_names_the_delimiter_and_is_not_read_as_a_header(env):
    content = "sep=;\r\nDatum;Filiale;Artikel;Menge\r\n2026-07-01;S01;KÄSE-1;3\r\n".encode("cp1252")
    record = _check(env, "export.csv", content)
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert record.reading.delimiter == ";" and record.reading.encoding == "Windows-1252"
    assert _accepted(env, record)[0]["sku_id"] == "KÄSE-1" and _accepted(env, record)[0]["row_number"] == 3


def test_a_windows_1252_export_is_read_with_its_accents(env):
    record = _check(env, "sales.csv", "date,store_id,sku_id,units\n2026-07-01,S01,CAFÉ-1,3\n2026-07-01,S01,CRÈME-2,1\n".encode("cp1252"))
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert record.reading.encoding == "Windows-1252"
    assert [r["sku_id"] for r in _accepted(env, record)] == ["CAFÉ-1", "CRÈME-2"]


def test_accents_that_first_appear_deep_in_a_windows_1252_file_are_read(env):
    ascii_rows = "".join(f"2026-07-01,S01,SKU-{i},1\n" for i in range(5000))  # ~100 KB before the first accent
    record = _check(env, "sales.csv", ("date,store_id,sku_id,units\n" + ascii_rows + "2026-07-01,S01,CAFÉ-1,3\n").encode("cp1252"))
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert record.reading.encoding == "Windows-1252"
    assert _accepted(env, record)[-1]["sku_id"] == "CAFÉ-1"


def test_a_lone_ambiguous_date_after_thousands_of_iso_dates_is_quarantined_with_the_option_to_declare(env):
    iso_rows = "".join(f"2026-07-{1 + i % 28:02d},S01,A{i},1\n" for i in range(10_050))
    record = _check(env, "sales.csv", ("date,store_id,sku_id,units\n" + iso_rows + "01/07/2026,S01,B,2\n").encode())
    assert record.status is UploadStatus.VALIDATED
    assert record.rows_quarantined == 1
    assert "declare the file's date order (date_order)" in record.quarantine_sample[0].reasons[0]


def test_a_utf16_tab_separated_point_of_sale_export_is_read(env):
    content = ("Date\tStore\tSKU\tQuantity\tPrice\r\n31/07/2026 10:15\tS01\tBEV-001\t3\t3.58\r\n"
               "01/08/2026 09:00\tS02\tBEV-002\t1\t1.20\r\n").encode("utf-16")
    record = _check(env, "pos-export.txt", content)
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert (record.reading.encoding, record.reading.delimiter) == ("UTF-16", "\t")
    assert [(r["date"], r["store_id"]) for r in _accepted(env, record)] == [("2026-07-31", "S01"), ("2026-08-01", "S02")]


def test_a_libreoffice_csv_in_a_french_locale_with_quoted_fields_and_euro_prices(env):
    content = '"Date";"Magasin";"Article";"Quantité";"Prix"\n"15/07/2026";"S01";"BEV-001";"3";"3,58 €"\n'.encode()
    record = _check(env, "ventes.csv", content)
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert {c.header: c.column for c in record.reading.columns} == {
        "Date": "date", "Magasin": "store_id", "Article": "sku_id", "Quantité": "units", "Prix": "price"}
    assert _accepted(env, record)[0]["price"] == 3.58


def test_headers_sellers_use_are_mapped_by_known_synonyms_and_the_mapping_is_shown(env):
    record = _check(env, "sales.csv", b"Sale Date,Outlet,Item,Qty\n2026-07-01,S01,BEV-001,3\n")
    assert record.status is UploadStatus.VALIDATED, record.reason
    assert [(c.header, c.column, c.by) for c in record.reading.columns] == [
        ("Sale Date", "date", "synonym"), ("Outlet", "store_id", "synonym"), ("Item", "sku_id", "synonym"), ("Qty", "units", "synonym")]


def test_a_declared_mapping_names_columns_no_synonym_knows(env):
    content = b"Tag,Laden,Nr,Stk\n2026-07-01,S01,BEV-001,3\n"
    rejected = _check(env, "sales.csv", content)
    assert rejected.status is UploadStatus.REJECTED
    assert "name yours with column_mapping" in rejected.reason and "'Laden'" in rejected.reason
    mapped = _check(env, "sales-mapped.csv", content,
                    column_mapping={"Tag": "date", "Laden": "store_id", "Nr": "sku_id", "Stk": "units"})
    assert mapped.status is UploadStatus.VALIDATED
    assert {c.by for c in mapped.reading.columns} == {"declared"}


def test_two_headers_that_could_be_the_same_column_are_held_for_the_seller_to_say_which(env):
    record = _check(env, "sales.csv", b"date,Store,Outlet,sku_id,units\n2026-07-01,S01,O1,A,3\n")
    assert record.status is UploadStatus.HELD
    assert "'Store' and 'Outlet' could each be store_id" in record.reason


def test_an_xlsx_workbook_is_read_from_its_first_sheet_or_a_named_one_with_typed_cells(env):
    rows = [["Date", "Store", "SKU", "Units", "Price"], [datetime(2026, 7, 1), "S01", "BEV-001", 3, 3.58],
            ["2026-07-02", "S01", "BEV-001", 2, 3.58]]
    first = _check(env, "sales.xlsx", _xlsx(rows))
    assert first.status is UploadStatus.VALIDATED, first.reason
    assert first.reading.format == "xlsx" and first.reading.sheet == "Sheet1"
    assert [(r["date"], r["units"]) for r in _accepted(env, first)] == [("2026-07-01", 3), ("2026-07-02", 2)]

    named = _check(env, "book.xlsx", _xlsx(rows, sheet="Sales", extra_sheet="Notes"), sheet="Sales")
    assert named.status is UploadStatus.VALIDATED and named.rows_accepted == 2
    missing = _check(env, "book2.xlsx", _xlsx(rows, sheet="Sales", extra_sheet="Notes"), sheet="Umsatz")
    assert missing.status is UploadStatus.REJECTED and "its sheets: Notes, Sales" in missing.reason


def test_a_file_that_is_not_a_workbook_but_named_xlsx_is_rejected_with_what_to_do(env):
    record = _check(env, "sales.xlsx", b"date,store_id\n")
    assert record.status is UploadStatus.REJECTED
    assert "not a readable .xlsx workbook" in record.reason


def test_a_mapping_to_a_column_the_dataset_lacks_is_refused_when_the_upload_is_asked_for(env):
    with pytest.raises(InvalidRequest, match="which the sales dataset does not have"):
        env[2].create("t1", "user-1", "sales", "s.csv", None, None, ReadingOptions(column_mapping={"Qty": "quantity"}))


def test_settings_saved_for_a_dataset_apply_to_the_tenants_later_uploads_only(env):
    uploads = env[2]
    manager = Principal(user_id="m1", tenant_id="t1", groups=("managers",))
    uploads.save_options(manager, "sales", ReadingOptions(date_order="day_first", column_mapping={"Laden": "store_id"}))
    content = b"date,Laden,sku_id,units\n01/07/2026,S01,A,3\n"
    mine = _check(env, "sales.csv", content)
    assert mine.status is UploadStatus.VALIDATED and mine.reading.date_order_by == "declared"
    # (other bytes: the same content uploaded again is a duplicate, whatever it is read as)
    declared_over_saved = _check(env, "sales2.csv", content + b"02/07/2026,S01,A,1\n", date_order="month_first")
    assert _accepted(env, declared_over_saved)[0]["date"] == "2026-01-07"
    other_tenant = _check(env, "sales.csv", content, tenant="t2")
    assert other_tenant.status is UploadStatus.REJECTED  # t2 saved nothing: 'Laden' means nothing there


def test_clean_files_are_read_exactly_as_before(env):
    record = _check(env, "sales.csv", b"date,store_id,sku_id,units,price\n2026-07-01,S01,A,3,2.5\n")
    assert record.status is UploadStatus.VALIDATED
    assert record.reading.normalised == {}
    assert record.reading.date_order is None and record.reading.decimal_separator_by == "inferred from '2.5'"


def test_the_preview_shows_how_the_first_part_of_a_file_would_be_read(env):
    uploads = env[2]
    head = b"date;store_id;sku_id;units;price\r\n31.07.2026;S01;BEV-001;3;3,58\r\n01.08.2026;S01;BEV-001;x;1,2"
    answer = uploads.preview("t1", "sales", "sales.csv", head, complete=False)
    assert answer["status"] == "ready"
    assert answer["rows_read"] == 1  # the cut last line is not shown as a problem
    assert answer["rows"][0]["parsed"]["date"] == "2026-07-31"
    assert answer["reading"]["delimiter"] == ";" and answer["reading"]["decimal_separator"] == ","

    ambiguous = uploads.preview("t1", "sales", "sales.csv", b"date,store_id,sku_id,units\n01/07/2026,S01,A,3\n", complete=True)
    assert ambiguous["status"] == "choice_needed"
    assert ambiguous["choice"] == {"option": "date_order", "values": ["day_first", "month_first"]}
    chosen = uploads.preview("t1", "sales", "sales.csv", b"date,store_id,sku_id,units\n01/07/2026,S01,A,3\n", complete=True,
                             options=ReadingOptions(date_order="month_first"))
    assert chosen["rows"][0]["parsed"]["date"] == "2026-01-07"

    unmapped = uploads.preview("t1", "sales", "sales.csv", b"Tag,Laden,Nr,Stk\n2026-07-01,S01,A,3\n", complete=True)
    assert unmapped["status"] == "rejected"
    assert unmapped["headers"] == ["Tag", "Laden", "Nr", "Stk"]
    assert unmapped["missing_columns"] == ["date", "store_id", "sku_id", "units"]


def test_an_idempotency_key_replayed_with_other_reading_options_is_a_conflict(env):
    from smartretail.errors import Conflict

    uploads = env[2]
    first = uploads.create("t1", "u", "sales", "s.csv", None, "key-1", ReadingOptions(date_order="day_first"))
    again = uploads.create("t1", "u", "sales", "s.csv", None, "key-1", ReadingOptions(date_order="day_first"))
    assert again["upload_id"] == first["upload_id"]
    with pytest.raises(Conflict, match="reading options"):
        uploads.create("t1", "u", "sales", "s.csv", None, "key-1", ReadingOptions(date_order="month_first"))


def test_numbers_no_value_settles_are_held_for_the_decimal_mark(env):
    record = _check(env, "sales.csv", b"date;store_id;sku_id;units\n2026-07-01;S01;A;1.200\n2026-07-02;S01;A;3\n")
    assert record.status is UploadStatus.HELD
    assert "decimal_separator" in record.reason and "'1.200'" in record.reason
    declared = _check(env, "sales2.csv", b"date;store_id;sku_id;units\n2026-07-01;S01;A;1.200\n2026-07-03;S01;A;3\n",
                      decimal_separator=",")
    assert _accepted(env, declared)[0]["units"] == 1200


def test_a_utf8_file_with_one_stray_byte_is_rejected_at_that_line_not_read_in_another_encoding(env):
    content = "date,store_id,sku_id,units\n2026-07-01,S01,CAFÉ-1,3\n".encode() + b"2026-07-02,S01,CR\xc8ME,1\n"
    record = _check(env, "sales.csv", content)
    assert record.status is UploadStatus.REJECTED
    assert "not UTF-8 text" in record.reason


def test_a_column_named_twice_is_rejected_not_read_from_one_of_them(env):
    record = _check(env, "sales.csv", b"date,store_id,sku_id,units,Units\n2026-07-01,S01,A,3,4\n")
    assert record.status is UploadStatus.REJECTED
    assert "names 'units' more than once" in record.reason


def test_a_workbook_that_unpacks_to_far_more_than_it_weighs_is_refused(env):
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (60 << 20) + b"</a>")
    record = _check(env, "bomb.xlsx", data.getvalue())
    assert record.status is UploadStatus.REJECTED
    assert "unpacks to 60 MB" in record.reason


def test_a_sheet_declaring_the_whole_grid_is_read_by_its_rows(env):
    book = openpyxl.Workbook()
    book.active.append(["date", "store_id", "sku_id", "units"])
    book.active.append(["2026-07-01", "S01", "A", 3])
    book.active.cell(row=1_048_576, column=16_384, value=None)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue().replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>')
    record = _check(env, "grid.xlsx", data)
    assert record.status is UploadStatus.VALIDATED and record.rows_accepted == 1
