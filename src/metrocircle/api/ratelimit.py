"""A sliding-window rate limiter kept in the server process.

Enough for one server process (the way ``metrocircle serve`` runs); several processes
behind a balancer each count on their own, so put the limit in the proxy there as well.
"""

from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["RateLimiter"]

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000
"""Keys tracked at most; the stalest are dropped first (memory bound under a flood)."""


class RateLimiter:
    """At most ``per_minute`` hits per key in any 60 s window; 0 means no limit.

    >>> lim = RateLimiter(2)
    >>> lim.hit("a", now=0.0), lim.hit("a", now=1.0), lim.hit("a", now=2.0) is not None
    (None, None, True)
    >>> lim.hit("a", now=61.0) is None
    True
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: float | None = None) -> float | None:
        """Count one hit; return None when allowed, else the seconds to wait."""
        if self.per_minute <= 0:
            return None
        t = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.get(key)
            if q is None:
                if len(self._hits) >= MAX_KEYS:
                    self._hits.pop(next(iter(self._hits)))
                q = self._hits[key] = deque()
            while q and q[0] <= t - WINDOW_SECONDS:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(0.0, q[0] + WINDOW_SECONDS - t)
            q.append(t)
            return None
