"""What the API keeps instead of reading or computing again.

`Recent`: values read on nearly every request that only a pipeline run changes (a tenant's live
model, loaded positions and data version), for a few seconds per container; each Lambda container
has its own and sees a run's results within `seconds`. Never for what users change (a policy, an
approval threshold): those are read on every request.
`kept`: answers in the shared ResultCache, keyed by everything they depend on."""

import hashlib
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Hashable

if TYPE_CHECKING:
    from .ports import ResultCache


class Recent:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._seconds = seconds
        self._clock = clock
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The value read for `key` less than `seconds` ago, else `read()` (kept unless it raised)."""
        now = self._clock()
        with self._lock:
            kept = self._values.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = read()
        with self._lock:
            self._values[key] = (now + self._seconds, value)
        return value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._values.pop(key, None)


def remembered(recent: "Recent | None", key: Hashable, read: Callable[[], Any]) -> Any:
    """`read()` through `recent` when there is one (the API), directly otherwise (pipelines, tests)."""
    return recent.get(key, read) if recent is not None else read()


def kept(cache: "ResultCache | None", tenant_id: str, kind: str, inputs: Any, compute: Callable[[], dict[str, Any]],
         seconds: int, worth_keeping: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    """`compute()`'s answer, kept in the shared cache under a hash of everything it depends on
    (`inputs`: the request and the versions of the data it reads), so an equal request reads one
    item instead of recomputing. Without a cache, or when it cannot answer, the answer is computed;
    an answer not `worth_keeping` (a fallback's) is not kept, so the next request tries the data again."""
    if cache is None:
        return compute()
    key = f"{kind}#" + hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:40]
    try:
        found = cache.get(tenant_id, key)
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: whatever it says, answer from the data
        logging.getLogger(__name__).warning("results cache unreadable: %r", exc)
        return compute()
    if found is not None:
        return found
    answer = compute()
    if worth_keeping(answer):
        try:
            cache.put(tenant_id, key, answer, seconds)
        except Exception as exc:  # noqa: BLE001 - e.g. an answer over DynamoDB's 400 KB: served, not kept
            logging.getLogger(__name__).warning("results cache refused an answer: %r", exc)
    return answer
