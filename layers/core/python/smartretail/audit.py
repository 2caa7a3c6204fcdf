"""The append-only audit log: who did what, when, to what, with the record before and after.

Entries are only ever added (conditional put on a new key); the API's role may put and query the
audit table but neither update nor delete, so the log cannot be rewritten from the application.
"""

import time
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from .auth import Principal
from .ports import ItemStore

SYSTEM = "system"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class AuditTrail:
    def __init__(self, items: ItemStore, clock: Callable[[], datetime] = _now):
        self._items = items
        self._clock = clock

    def record(self, actor: Principal | str, action: str, entity: str, *, before: Any = None, after: Any = None,
               tenant_id: str | None = None) -> dict[str, Any]:
        tenant = actor.tenant_id if isinstance(actor, Principal) else tenant_id
        if not tenant:
            raise ValueError("an audit entry needs a tenant")
        at = self._clock().isoformat(timespec="milliseconds")
        entry = {
            "at": at, "action": action, "entity": entity,
            "actor": actor.user_id if isinstance(actor, Principal) else actor,
            "actor_groups": sorted(actor.groups) if isinstance(actor, Principal) else [],
            "before": before, "after": after,
        }
        # Sorted by time; the nanosecond counter orders entries written within the same millisecond.
        return self._items.put(tenant, f"{at}#{time.time_ns():020d}#{uuid.uuid4().hex[:8]}", entry, if_absent=True)

    def entries(self, tenant_id: str, limit: int = 100, entity: str | None = None) -> list[dict[str, Any]]:
        """Newest first; `entity` keeps one proposal's (or the policy's) history."""
        found = self._items.query(tenant_id, newest_first=True, limit=None if entity else limit)
        if entity:
            found = [e for e in found if e["entity"] == entity][:limit]
        return [{k: v for k, v in e.items() if k not in ("item_key", "version")} for e in found]
