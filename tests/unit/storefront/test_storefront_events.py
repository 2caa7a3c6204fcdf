"""Shopper events: a batch is checked whole, each event delivered once with the caller's tenant, and
what was delivered is read back per tenant, the first of each event id only."""

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from smartretail.adapters.aws_firehose import S3EventSink
from smartretail.adapters.memory import MemoryObjectStore
from smartretail.ports import read_lines
from smartretail.storefront.events import EventBatch, read_events, record_events, stream_prefix


def _event(n, **overrides):
    return {"event_id": f"e{n}", "user_id": "u1", "item_id": "SKU-1", "event_type": "view",
            "timestamp": "2026-11-01T10:00:00Z", **overrides}


def test_a_batch_lands_under_the_callers_tenant_each_event_once():
    store = MemoryObjectStore()
    answer = record_events(S3EventSink(store, "raw"), "t1", EventBatch(events=[_event(1), _event(2), _event(1)]))
    assert answer == {"accepted": 2, "duplicates_in_batch": 1}
    lines = list(read_lines(store, "raw", stream_prefix("t1")))
    assert len(lines) == 2 and all('"tenant_id":"t1"' in line for line in lines)
    assert list(read_lines(store, "raw", stream_prefix("t2"))) == []


def test_events_sent_again_are_read_once_and_other_tenants_lines_are_skipped():
    store = MemoryObjectStore()
    sink = S3EventSink(store, "raw")
    for _ in range(2):  # a client retrying the same batch
        record_events(sink, "t1", EventBatch(events=[_event(1), _event(2)]))
    lines = list(read_lines(store, "raw", stream_prefix("t1"))) + ['{"tenant_id": "t2", "event_id": "x"}', "not json"]
    assert [e["event_id"] for e in read_events(lines, "t1")] == ["e1", "e2"]


@pytest.mark.parametrize("change, field", [
    ({"event_type": "like"}, "event_type"),
    ({"user_id": ""}, "user_id"),
    ({"quantity": 0}, "quantity"),
    ({"timestamp": (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()}, "timestamp"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_event_is_refused_naming_the_field(change, field):
    with pytest.raises(ValidationError, match=field):
        EventBatch(events=[_event(1, **change)])


def test_batches_hold_one_to_five_hundred_events():
    with pytest.raises(ValidationError):
        EventBatch(events=[])
    with pytest.raises(ValidationError):
        EventBatch(events=[_event(n) for n in range(501)])
