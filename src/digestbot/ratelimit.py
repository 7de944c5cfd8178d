"""Pacing that keeps us under the providers' published limits instead of discovering them by 429.

Two shapes of limit are needed:
- a token bucket (GCRA) for "N per second" limits that allow an initial burst (Telegram's
  ~30 msg/s per bot: 30 leave at once, then one every 1/30 s — the floor benchmarks compare to);
- a sliding window for "N per minute" limits (Telegram groups: 20 per minute), where a bucket
  would let a 21st message through 3 s after a burst of 20 and earn a 429;
- a token bucket counted at the answers (`AnsweredBucket`) for a provider-wide limit with a
  burst: the provider counts arrivals, which a burst can crowd together later than we sent it.

`MultiLimiter.acquire(keys)` waits until *every* limit for a send has room and then takes from
all of them at once, so a send never holds a global slot while it waits for its chat's slot.
A `MultiLimiter` may be shared by event loops in different threads (`digestbot run` fans out
on a loop of its own while the bot replies on the main one): checking and taking room happen
under one lock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

Clock = Callable[[], float]


class Limit(Protocol):
    def wait_time(self, now: float) -> float:
        """Seconds until one more send would be allowed (0 when allowed now)."""
        ...

    def consume(self, now: float) -> None:
        """Record one send at `now`."""
        ...

    def settle(self, now: float) -> None:
        """The send recorded by `consume` was answered (or failed) at `now`."""
        ...


@dataclass
class TokenBucket:
    """GCRA: `rate` sends per second on average, `burst` of them back to back."""

    rate: float
    burst: int = 1
    _tat: float = field(default=float("-inf"), init=False)  # theoretical arrival time

    def wait_time(self, now: float) -> float:
        tat = max(self._tat, now)
        allowed_at = tat - (self.burst - 1) / self.rate
        return max(0.0, allowed_at - now)

    def consume(self, now: float) -> None:
        self._tat = max(self._tat, now) + 1.0 / self.rate

    def settle(self, now: float) -> None:
        pass  # counted when it left


@dataclass
class AnsweredBucket:
    """A token bucket (`rate`, `burst`) that the provider applies to *arrivals*, kept without
    knowing when they arrive: a send arrives after it leaves and before its answer comes, so
    each one is counted from the moment it leaves until its answer as if it arrived at any of
    those moments, and from then on at its answer.

    Why that can never break the provider's bucket: the provider refuses only when some span
    [s, t] holds more than `burst + rate * (t - s)` arrivals. A send can have arrived in it only
    if it left by t and was not answered before s. Here a send may leave at t only if
    1 + (sends in flight) + (sends answered in [s, t]) <= burst + rate * (t - s) for every
    s <= t, which is GCRA over the answer times with the sends in flight placed at t (the
    answer times are fed in as they come, not sorted; adding one out of order can only raise
    the bucket's level). Whatever the delays, arrivals are never crowded more than answers.

    What it costs: each send counts one round trip later than it left. In steady pacing that
    is a constant shift, not a slower rate; in the first burst the requests answered last
    hold back the next sends by how long the burst took to be answered (~0.1 s at load 0,
    more on a busy host, where it is needed), instead of a reserve fixed for the worst case.
    A send must be settled exactly once, also when it fails or never left."""

    rate: float
    burst: int = 1
    _tat: float = field(default=float("-inf"), init=False)  # over the answered sends
    _in_flight: int = field(default=0, init=False)

    def wait_time(self, now: float) -> float:
        tat = max(self._tat, now) + self._in_flight / self.rate
        return max(0.0, tat - (self.burst - 1) / self.rate - now)

    def consume(self, now: float) -> None:
        self._in_flight += 1

    def settle(self, now: float) -> None:
        # Never below 0: the limiter may have forgotten an idle bucket and made a new one.
        self._in_flight = max(0, self._in_flight - 1)
        self._tat = max(self._tat, now) + 1.0 / self.rate


@dataclass
class SlidingWindow:
    """At most `limit` sends in any `period` seconds."""

    limit: int
    period: float
    _sent: deque[float] = field(default_factory=deque, init=False)

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.period:
            self._sent.popleft()

    def wait_time(self, now: float) -> float:
        self._expire(now)
        if len(self._sent) < self.limit:
            return 0.0
        # Never 0 while full: float rounding must not let a send in at the window's edge.
        return max(self._sent[0] + self.period - now, 1e-9)

    def consume(self, now: float) -> None:
        self._expire(now)
        self._sent.append(now)

    def settle(self, now: float) -> None:
        pass  # counted when it left


LimitFactory = Callable[[Hashable], Limit | None]


class MultiLimiter:
    """A family of limits keyed by (kind, id), created on first use by `factory`.

    Idle keyed limits are dropped once they could no longer delay anything, so memory stays
    bounded by the sends of the last period, not by the number of targets."""

    def __init__(
        self,
        factory: LimitFactory,
        *,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], object] = asyncio.sleep,
        idle_after: float = 120.0,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._sleep = sleep
        self._idle_after = idle_after
        self._limits: dict[Hashable, Limit] = {}
        self._last_used: dict[Hashable, float] = {}
        self._last_sweep = 0.0
        self._guard = threading.Lock()  # the loops sharing this limiter run in other threads

    def _limit(self, key: Hashable) -> Limit | None:
        limit = self._limits.get(key)
        if limit is None:
            limit = self._factory(key)
            if limit is None:
                return None
            self._limits[key] = limit
        return limit

    def wait_time(self, keys: Iterable[Hashable]) -> float:
        with self._guard:
            return self._wait_time(keys)

    def _wait_time(self, keys: Iterable[Hashable]) -> float:
        now = self._clock()
        waits = [lim.wait_time(now) for k in keys if (lim := self._limit(k)) is not None]
        return max(waits, default=0.0)

    def record(self, keys: Iterable[Hashable], at: float | None = None) -> None:
        """Count one send that is over (also used to replay sends a crashed run made in the
        last minute): it left and was answered at `at`."""
        with self._guard:
            self._record(keys, at)
            self._settle(keys, at)

    def settle(self, keys: Iterable[Hashable]) -> None:
        """A send `acquire` let leave on `keys` was answered, or failed, or never left: now.
        Exactly once per `acquire`."""
        with self._guard:
            self._settle(keys, None)

    def _settle(self, keys: Iterable[Hashable], at: float | None) -> None:
        now = self._clock() if at is None else at
        for key in keys:
            limit = self._limits.get(key)
            if limit is not None:
                limit.settle(now)
                self._last_used[key] = max(self._last_used.get(key, now), now)

    def _record(self, keys: Iterable[Hashable], at: float | None = None) -> None:
        now = self._clock() if at is None else at
        for key in keys:
            limit = self._limit(key)
            if limit is not None:
                limit.consume(now)
                self._last_used[key] = max(self._last_used.get(key, now), now)
        self._sweep(now)

    async def acquire(self, keys: Iterable[Hashable]) -> float:
        """Wait until all `keys` have room, take one slot from each; returns seconds waited."""
        keys = list(keys)
        waited = 0.0
        while True:
            with self._guard:  # no other thread's send between the check and the take
                wait = self._wait_time(keys)
                if wait <= 0:
                    self._record(keys)
                    return waited
            waited += wait
            await self._sleep(wait)  # type: ignore[misc]

    def penalize(self, keys: Iterable[Hashable], seconds: float) -> None:
        """The provider said retry_after: block these keys for `seconds` from now."""
        with self._guard:
            until = self._clock() + seconds
            for key in keys:
                self._limits[key] = _Blocked(until, self._limits.get(key))
                self._last_used[key] = until

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self._idle_after:
            return
        self._last_sweep = now
        stale = [k for k, t in self._last_used.items() if now - t > self._idle_after]
        for key in stale:
            self._limits.pop(key, None)
            self._last_used.pop(key, None)


@dataclass
class _Blocked:
    """A limit that refuses everything until `until`, then defers to the one it replaced."""

    until: float
    inner: Limit | None

    def wait_time(self, now: float) -> float:
        inner = self.inner.wait_time(now) if self.inner is not None else 0.0
        return max(self.until - now, inner)

    def consume(self, now: float) -> None:
        if self.inner is not None:
            self.inner.consume(now)

    def settle(self, now: float) -> None:
        if self.inner is not None:
            self.inner.settle(now)


__all__ = [
    "AnsweredBucket",
    "Clock",
    "Limit",
    "LimitFactory",
    "MultiLimiter",
    "SlidingWindow",
    "TokenBucket",
]
