"""Fair use per user: how often one account may call an expensive operation, and how many it may run at once.

A token bucket per (user, operation) refills at `per_minute / 60` tokens a second up to `burst`; a call without a
token is refused with `RateLimited` carrying how long to wait (→ HTTP 429 with `Retry-After`). A separate counter
caps the questions one user has in progress at once, so two clients hammering the API cannot queue dozens of
generations in front of everyone else on a CPU model that answers one at a time.

>>> clock = [0.0]
>>> bucket = RateLimiter({"ask": Rate(per_minute=60, burst=2)}, clock=lambda: clock[0])
>>> bucket.take("an", "ask"); bucket.take("an", "ask")
>>> try:
...     bucket.take("an", "ask")
... except RateLimited as exc:
...     print(round(exc.retry_after, 1))
1.0
>>> clock[0] = 1.0; bucket.take("an", "ask")   # one token back after a second
>>> bucket.take("binh", "ask")                 # other users have their own bucket
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MAX_TRACKED = 10_000  # buckets kept; the oldest idle ones are forgotten beyond this (bounded memory)


class RateLimited(Exception):
    """Too many requests from this user for now; `retry_after` seconds until the next one is accepted."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    """`per_minute` sustained, `burst` at once."""

    per_minute: int
    burst: int

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.burst < 1:
            raise ValueError(f"rate must allow at least 1 a minute and a burst of 1, not {self}")


class RateLimiter:
    """Token buckets per (user, operation); thread-safe."""

    def __init__(self, rates: dict[str, Rate], clock: Callable[[], float] = time.monotonic) -> None:
        self.rates = rates
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key → (tokens, last refill time)

    def take(self, user: str, operation: str) -> None:
        """Spend one token of `user` for `operation`, or raise `RateLimited`. Unknown operations are free."""
        rate = self.rates.get(operation)
        if rate is None:
            return
        now = self.clock()
        per_second = rate.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.pop((user, operation), (float(rate.burst), now))
            tokens = min(float(rate.burst), tokens + (now - last) * per_second)
            if tokens < 1.0:
                self._buckets[(user, operation)] = (tokens, now)
                wait = (1.0 - tokens) / per_second
                raise RateLimited(f"quá nhiều yêu cầu ({operation}); hãy thử lại sau {wait:.0f} giây", wait)
            self._buckets[(user, operation)] = (tokens - 1.0, now)  # re-inserted last: dict order = recency
            while len(self._buckets) > MAX_TRACKED:
                self._buckets.pop(next(iter(self._buckets)))


class InFlight:
    """At most `limit` operations in progress per user; thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    @contextmanager
    def slot(self, user: str) -> Iterator[None]:
        """Hold one of `user`'s slots for the duration, or raise `RateLimited` when all are taken."""
        with self._lock:
            n = self._running.get(user, 0)
            if n >= self.limit:
                raise RateLimited(
                    f"bạn đang có {n} câu hỏi chưa trả lời xong; hãy đợi câu trả lời trước", retry_after=5.0
                )
            self._running[user] = n + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._running.get(user, 1) - 1
                if left > 0:
                    self._running[user] = left
                else:
                    self._running.pop(user, None)
