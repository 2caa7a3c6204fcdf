"""Each tenant's share of the API: API Gateway throttles the whole stage and the web ACL each address,
so without this one tenant's burst (a script, an integration gone wrong) could use the capacity every
other tenant shares. Fixed one-minute windows counted in a shared store, so every API container
sees the same count.
"""

import logging
import time
from typing import Callable

from .errors import TooManyRequests
from .ports import RequestCounter

WINDOW_SECONDS = 60


class TenantThrottle:
    def __init__(self, counter: RequestCounter, per_minute: int, clock: Callable[[], float] = time.time,
                 who: str = "your organisation has"):
        self._counter = counter
        self._who = who  # whose share it is, as the 429 says it (the copilot counts each user's)
        self._per_minute = per_minute
        self._clock = clock

    def check(self, key: str) -> None:
        """Count this request; TooManyRequests once `key` (a tenant, or a tenant's user) is over its
        share for this minute.
        If the count cannot be read the request goes through: a throttle must not take the API down."""
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        try:
            count = self._counter.add(key, str(window), (window + 2) * WINDOW_SECONDS)
        except Exception as exc:  # noqa: BLE001 - whatever stops the count, the request goes through
            logging.getLogger(__name__).warning("tenant throttle could not count: %r", exc)
            return
        if count > self._per_minute:
            wait = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
            raise TooManyRequests(f"{self._who} sent more than {self._per_minute} requests this minute; "
                                  f"try again in {wait} seconds", retry_after_seconds=wait)
