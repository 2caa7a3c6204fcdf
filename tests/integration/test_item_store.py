"""The ItemStore's conditional writes on DynamoDB (moto), which proposals, alerts, the audit log, the
tenant policy and documents rely on to never lose an update; the in-memory fake the unit tests use
is held to the same answers."""

import boto3
import pytest

from smartretail.adapters.aws_dynamodb import DynamoItemStore
from smartretail.adapters.memory import MemoryItemStore, aws_error
from smartretail.errors import Conflict, ServiceUnavailable


@pytest.fixture(params=["dynamodb", "memory"])
def store(request, aws):
    if request.param == "memory":
        return MemoryItemStore()
    boto3.client("dynamodb").create_table(
        TableName="items", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}, {"AttributeName": "item_key", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"}, {"AttributeName": "item_key", "AttributeType": "S"}])
    return DynamoItemStore("items", boto3.client("dynamodb"))


def test_a_new_item_is_version_one_and_reads_back(store):
    written = store.put("t1", "proposal#1", {"status": "open"}, if_absent=True)
    assert written == {"status": "open", "version": 1, "item_key": "proposal#1"}
    assert store.get("t1", "proposal#1") == written


def test_creating_an_item_that_exists_is_a_conflict_and_keeps_the_first(store):
    store.put("t1", "proposal#1", {"status": "open"}, if_absent=True)
    with pytest.raises(Conflict):
        store.put("t1", "proposal#1", {"status": "approved"}, if_absent=True)
    assert store.get("t1", "proposal#1")["status"] == "open"


def test_an_update_from_a_stale_read_is_a_conflict_and_loses_nothing(store):
    first = store.put("t1", "policy", {"margin": 10}, if_absent=True)
    store.put("t1", "policy", {"margin": 12}, if_version=first["version"])  # a manager saves
    with pytest.raises(Conflict):
        store.put("t1", "policy", {"margin": 15}, if_version=first["version"])  # another, from the same old read
    assert store.get("t1", "policy") == {"margin": 12, "version": 2, "item_key": "policy"}


def test_an_update_on_the_current_version_goes_through(store):
    first = store.put("t1", "alert#1", {"status": "open"}, if_absent=True)
    second = store.put("t1", "alert#1", {"status": "acknowledged"}, if_version=first["version"])
    assert second["version"] == 2
    assert store.get("t1", "alert#1")["status"] == "acknowledged"


def test_an_update_of_an_item_that_is_gone_is_a_conflict(store):
    with pytest.raises(Conflict):
        store.put("t1", "alert#9", {"status": "open"}, if_version=1)


def test_queries_stay_in_the_tenant_and_the_prefix_in_key_order(store):
    store.put_many("t1", {"alert#b": {"n": 2}, "alert#a": {"n": 1}, "audit#a": {"n": 3}})
    store.put_many("t2", {"alert#c": {"n": 4}})
    assert [i["item_key"] for i in store.query("t1", "alert#")] == ["alert#a", "alert#b"]
    assert [i["item_key"] for i in store.query("t1", "alert#", newest_first=True, limit=1)] == ["alert#b"]
    assert store.get("t2", "alert#a") is None
    store.delete_many("t1", ["alert#a"])
    assert [i["item_key"] for i in store.query("t1")] == ["alert#b", "audit#a"]


def test_the_fake_raises_the_services_errors_when_told_to():
    store = MemoryItemStore()
    store.fail_next(aws_error("ProvisionedThroughputExceededException", "PutItem"), times=2)
    for _ in range(2):  # raised as the DynamoDB adapter raises it: a 503 the caller may retry
        with pytest.raises(ServiceUnavailable, match="ProvisionedThroughputExceededException") as raised:
            store.put("t1", "k", {"a": 1})
        assert raised.value.status == 503 and raised.value.retry_after_seconds == 2
    assert store.put("t1", "k", {"a": 1})["version"] == 1  # then it works again
