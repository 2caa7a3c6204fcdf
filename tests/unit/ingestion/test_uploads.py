import pytest

from smartretail.adapters.memory import MemoryObjectStore, MemoryUploadRepository
from smartretail.errors import Conflict, InvalidRequest, NotFound
from smartretail.ingestion.uploads import UploadLimits, UploadService


@pytest.fixture
def uploads():
    return UploadService(MemoryObjectStore(), MemoryUploadRepository(), "raw", UploadLimits(1000, 60))


def test_an_upload_slot_is_scoped_to_the_tenant_and_dataset(uploads):
    slot = uploads.create("t1", "u1", "sales", "../../etc/My Sales.csv", None, None)
    assert slot["upload"]["fields"]["key"] == f"raw/t1/sales/{slot['upload_id']}/My_Sales.csv"
    assert slot["content_type"] == "text/csv"
    assert slot["max_bytes"] == 1000


def test_unknown_datasets_and_file_types_get_clear_errors(uploads):
    with pytest.raises(NotFound, match="use one of: competitor-prices, inventory, products, sales"):
        uploads.create("t1", "u1", "orders", "o.csv", None, None)
    with pytest.raises(InvalidRequest, match=r"\.csv, \.tsv, \.txt, \.xlsx, \.jsonl or \.ndjson"):
        uploads.create("t1", "u1", "sales", "s.xls", None, None)
    with pytest.raises(InvalidRequest, match="does not match"):
        uploads.create("t1", "u1", "sales", "s.csv", "application/pdf", None)


def test_an_idempotency_key_returns_the_same_upload(uploads):
    first = uploads.create("t1", "u1", "sales", "s.csv", None, "key-1")
    again = uploads.create("t1", "u1", "sales", "s.csv", None, "key-1")
    assert again["upload_id"] == first["upload_id"]
    other_tenant = uploads.create("t2", "u2", "sales", "s.csv", None, "key-1")
    assert other_tenant["upload_id"] != first["upload_id"]


def test_reusing_an_idempotency_key_for_another_request_is_a_conflict(uploads):
    uploads.create("t1", "u1", "sales", "s.csv", None, "key-1")
    with pytest.raises(Conflict):
        uploads.create("t1", "u1", "inventory", "s.csv", None, "key-1")


def test_another_tenants_upload_is_not_found(uploads):
    slot = uploads.create("t1", "u1", "sales", "s.csv", None, None)
    with pytest.raises(NotFound):
        uploads.get("t2", slot["upload_id"])
    with pytest.raises(InvalidRequest):
        uploads.get("t1", "../../x")
