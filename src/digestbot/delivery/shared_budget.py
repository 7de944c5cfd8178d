"""A provider-wide limit (Telegram's ~30 messages/s per bot) shared by every worker on one
PostgreSQL database, so N workers together stay under it instead of each spending it all.

The budget lives in the database (`store.budgets`): this process reserves sends in small
blocks (one statement per block, sized to the sends waiting right now, at most
`BLOCK_SECONDS` worth), turns the block's times from the database's clock into its own and
hands them out in order. A send takes its reserved time before it is marked in flight, like
any rate-limit token. A reserved time nobody took promptly is dropped, not used late: a late
departure could land in the middle of another worker's sends; for the same reason a send whose
in-flight mark took long to commit takes a new time before it leaves."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from digestbot.ratelimit import Clock

# One reservation covers at most this many seconds of the budget: few statements per second,
# and few sends wasted when a worker stops with a block in hand.
BLOCK_SECONDS = 0.2
# A reserved time is still good this long after it passed (the shared budget keeps 40% of its
# burst in reserve for such skew; `pacing.BURST_RESERVE`).
STALE_SECONDS = 0.03

# (sends wanted) → (where the block starts, the database's time now), epoch seconds.
Reserve = Callable[[int], Awaitable[tuple[float, float]]]


class SharedBudget:
    def __init__(
        self,
        reserve: Reserve,
        rate: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._reserve = reserve
        self.interval = 1.0 / rate
        self.tolerance = (max(1, burst) - 1) * self.interval
        self.block = max(1, int(rate * BLOCK_SECONDS))
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()  # reserved departure times, on our clock
        self._refill: asyncio.Future[None] | None = None  # the reservation under way
        self._waiting = 0
        self.reservations = 0  # statements run (benchmarks divide by it)
        self.dropped = 0  # reserved sends nobody took in time
        self.late = 0  # sends held up past their reserved time, given a new one

    async def take(self) -> float:
        """Wait for this process's next reserved send time and return it."""
        at = await self.next_time()
        wait = at - self._clock()
        if wait > 0:
            await self._sleep(wait)
        return at

    async def next_time(self) -> float:
        """This process's next reserved send time, without waiting for it."""
        self._waiting += 1
        try:
            return await self._next_time()
        finally:
            self._waiting -= 1

    def drop_before(self, until: float) -> None:
        """The provider said retry_after (the shared row is pushed past `until`, our clock):
        the times in hand before then are not used."""
        while self._times and self._times[0] < until:
            self._times.popleft()
            self.dropped += 1

    async def renew_if_late(self, at: float) -> float:
        """The send that took the time `at` is about to leave: if that is later than a
        reserved time stays good (its in-flight mark took long to commit), take a new one,
        so it does not land among the other workers' sends. Returns the time it leaves at."""
        if self._clock() - at <= STALE_SECONDS:
            return at
        self.late += 1
        return await self.take()

    async def _next_time(self) -> float:
        while True:
            now = self._clock()
            while self._times:
                at = self._times.popleft()
                if at >= now - STALE_SECONDS:
                    return at
                self.dropped += 1
            if self._refill is None or self._refill.done():
                count = min(self.block, max(1, self._waiting))
                self._refill = asyncio.ensure_future(self._reserve_block(count))
            # Shielded: a waiter that is cancelled must not cancel the others' reservation.
            await asyncio.shield(self._refill)

    async def _reserve_block(self, count: int) -> None:
        start, db_now = await self._reserve(count)
        self.reservations += 1
        # The reply reached us a little after the database's `now`: taking our clock now as
        # that moment makes every time a hair later than it could be, never earlier.
        offset = self._clock() - db_now
        floor = db_now + offset
        for k in range(count):
            self._times.append(max(floor, start + k * self.interval - self.tolerance + offset))


__all__ = ["BLOCK_SECONDS", "STALE_SECONDS", "Reserve", "SharedBudget"]
