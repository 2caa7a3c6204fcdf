"""Conversations belong to their author: kept with every turn until the retention runs out, listed,
read and deleted by that user only."""

from datetime import datetime, timedelta, timezone

import pytest

from smartretail.adapters.memory import MemoryItemStore
from smartretail.copilot.conversations import ConversationStore
from smartretail.errors import NotFound


@pytest.fixture
def clock():
    return [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)]


@pytest.fixture
def store(clock):
    return ConversationStore(MemoryItemStore(), retention_days=30, now=lambda: clock[0])


def _exchange(question):
    return [{"role": "user", "text": question}, {"role": "assistant", "text": "an answer", "citations": []}]


def test_a_conversation_keeps_its_turns_in_order_and_its_first_question_as_title(store):
    first = store.append("t1", "u1", None, _exchange("Which SKUs will stock out in S01?"))
    store.append("t1", "u1", first["conversation_id"], _exchange("and in S02?"))
    found = store.get("t1", "u1", first["conversation_id"])
    assert [t["text"] for t in found["turns"] if t["role"] == "user"] == ["Which SKUs will stock out in S01?", "and in S02?"]
    assert store.list("t1", "u1")[0] | {"turns": 4} == store.list("t1", "u1")[0]
    assert store.list("t1", "u1")[0]["title"] == "Which SKUs will stock out in S01?"


def test_another_user_or_tenant_cannot_read_or_delete_a_conversation(store):
    mine = store.append("t1", "u1", None, _exchange("hello"))["conversation_id"]
    for tenant, user in (("t1", "u2"), ("t2", "u1")):
        with pytest.raises(NotFound):
            store.get(tenant, user, mine)
        with pytest.raises(NotFound):
            store.delete(tenant, user, mine)
        assert store.list(tenant, user) == []
    assert store.get("t1", "u1", mine)["turns"]


def test_a_conversation_expires_after_the_retention_unless_continued(store, clock):
    kept = store.append("t1", "u1", None, _exchange("one"))["conversation_id"]
    dropped = store.append("t1", "u1", None, _exchange("two"))["conversation_id"]
    clock[0] += timedelta(days=20)
    store.append("t1", "u1", kept, _exchange("still here"))
    clock[0] += timedelta(days=15)
    assert [c["conversation_id"] for c in store.list("t1", "u1")] == [kept]
    with pytest.raises(NotFound):
        store.get("t1", "u1", dropped)


def test_deleting_all_removes_only_the_callers_conversations(store):
    store.append("t1", "u1", None, _exchange("a"))
    store.append("t1", "u1", None, _exchange("b"))
    theirs = store.append("t1", "u2", None, _exchange("c"))["conversation_id"]
    assert store.delete("t1", "u1") == 2
    assert store.list("t1", "u1") == [] and store.get("t1", "u2", theirs)
