"""A user's copilot conversations: the user's, assistant's and tool turns with their citations, kept
for the tenant's retention (a TTL the table enforces) and visible to their author only. Tool results
are not kept, only what each tool was asked and when its data is from: the answer holds the figures."""

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from ..errors import NotFound
from ..lake import check_id
from ..ports import ItemStore

MAX_TURNS = 60  # the newest kept; older turns would only make the next question's context longer
_PREFIX = "conv#"


def _key(user_id: str, conversation_id: str = "") -> str:
    return f"{_PREFIX}{user_id}#{conversation_id}"


class ConversationStore:
    def __init__(self, items: ItemStore, retention_days: int, now: Callable[[], datetime] | None = None):
        self._items, self._retention = items, timedelta(days=retention_days)
        self._now = now or (lambda: datetime.now(timezone.utc))

    def _live(self, body: dict[str, Any]) -> bool:
        """DynamoDB drops expired items within days, not at once: an expired one is already gone to its user."""
        return body.get("expires_at", 0) > self._now().timestamp()

    def get(self, tenant_id: str, user_id: str, conversation_id: str) -> dict[str, Any]:
        check_id(conversation_id, "conversation_id")
        found = self._items.get(tenant_id, _key(user_id, conversation_id))
        if found is None or not self._live(found):  # another user's conversation is simply not found
            raise NotFound(f"conversation {conversation_id} not found", field="conversation_id")
        return {k: v for k, v in found.items() if k not in ("item_key", "version")}

    def append(self, tenant_id: str, user_id: str, conversation_id: str | None, turns: list[dict[str, Any]]) -> dict[str, Any]:
        """Add `turns` to the conversation (a new one when `conversation_id` is None); its retention
        starts again from this turn."""
        now = self._now()
        if conversation_id is None:
            body: dict[str, Any] = {"conversation_id": f"conv-{uuid.uuid4().hex[:20]}", "created_at": now.isoformat(timespec="seconds"),
                                    "title": next((t["text"][:80] for t in turns if t["role"] == "user"), ""), "turns": []}
        else:
            body = self.get(tenant_id, user_id, conversation_id)
        expires = int((now + self._retention).timestamp())
        stamped = [{**turn, "at": now.isoformat(timespec="seconds")} for turn in turns]
        body = {**body, "turns": (body["turns"] + stamped)[-MAX_TURNS:], "updated_at": now.isoformat(timespec="seconds"),
                "expires_at": expires}
        self._items.put(tenant_id, _key(user_id, body["conversation_id"]), body, expires_at=expires)
        return body

    def list(self, tenant_id: str, user_id: str) -> list[dict[str, Any]]:
        found = [c for c in self._items.query(tenant_id, _key(user_id)) if self._live(c)]
        found.sort(key=lambda c: c["updated_at"], reverse=True)
        return [{"conversation_id": c["conversation_id"], "title": c["title"], "created_at": c["created_at"],
                 "updated_at": c["updated_at"], "turns": len(c["turns"]), "expires_at": c["expires_at"]} for c in found]

    def delete(self, tenant_id: str, user_id: str, conversation_id: str | None = None) -> int:
        """One of the user's conversations, or all of them; how many were deleted."""
        if conversation_id is not None:
            self.get(tenant_id, user_id, conversation_id)
            keys = [_key(user_id, conversation_id)]
        else:
            keys = [c["item_key"] for c in self._items.query(tenant_id, _key(user_id))]
        self._items.delete_many(tenant_id, keys)
        return len(keys)
