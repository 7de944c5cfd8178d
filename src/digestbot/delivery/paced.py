"""One provider account's way out, shared by everything in the process that sends on it.

The fan-out, the bot's replies and the admin alerts (and, later, edits and deletes) all pass
through the same `PacedSender` for a provider:
- one channel object, so one HTTP client and one login (`open`/`close` are counted: the channel
  is opened for the first user and closed after the last);
- one `MultiLimiter`, so their sends add up against the provider's limits instead of each of
  them spending the whole budget;
- one line per target, so the parts of one message leave in order and are not interleaved with
  another message to the same chat.
How a part is tried (retry_after, backoff, giving up) is `delivery.attempts`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from digestbot.channels.base import ChannelClient
from digestbot.delivery.lines import LINE_SWEEP_SECONDS, Lines, TargetLine
from digestbot.delivery.pacing import Pacing
from digestbot.delivery.shared_limits import SharedLimits
from digestbot.ratelimit import AnsweredBucket, Clock, Limit, LimitFactory, MultiLimiter

C = TypeVar("C", bound=ChannelClient, covariant=True)


@dataclass(frozen=True, slots=True)
class Admission:
    """What a request took to leave: its limiter keys, and its slot in the budget shared with
    other workers (on this process's clock; None without one)."""

    keys: list[Hashable]
    slot: float | None = None
    target: str = ""


class PacedSender(Generic[C]):
    """See the module docstring. `clock` and `sleep` drive the limiter and the spacing (tests
    pass a virtual clock)."""

    def __init__(
        self,
        channel: C,
        pacing: Pacing,
        *,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channel = channel
        self.pacing = pacing
        self.clock = clock
        self.sleep = sleep
        self.limiter = MultiLimiter(pacing.limit, clock=clock, sleep=sleep)
        # The same limits again at the door: requests admitted over a while can be held up
        # together (their in-flight marks committed in one slow transaction) and must not
        # leave in one bunch; providers count arrivals, not our admissions.
        self.door = MultiLimiter(_counted_at_release(pacing), clock=clock, sleep=sleep)
        self._interval = pacing.target_interval
        # The limits every worker on the database shares, the bot's and the chats'
        # (`wiring.share_budgets`, PostgreSQL only): taken after this process's own limits.
        self.shared: SharedLimits | None = None
        self._lines = Lines(clock)
        self._users = 0
        self._users_lock = asyncio.Lock()
        self._history_counted = False

    def twin(self, channel: ChannelClient) -> PacedSender[Any]:
        """A sender on another client of the same account, for another event loop (a client's
        connections belong to the loop that opened them): it shares this one's limits and
        target lines, so both loops' sends add up against the provider's limits. Not the
        budget shared with other workers: each loop takes its own from the database."""
        twin: PacedSender[Any] = PacedSender(
            channel, self.pacing, clock=self.clock, sleep=self.sleep
        )
        twin.limiter, twin.door, twin._lines = self.limiter, self.door, self._lines
        return twin

    @property
    def name(self) -> str:
        return self.channel.name

    # ----- sharing the channel ----------------------------------------------------------------

    async def open(self) -> None:
        """Become a user of the channel, opening it if nobody else has. Raises the channel's
        error (and leaves it closed) when it cannot be opened."""
        async with self._users_lock:
            if self._users == 0:
                try:
                    await self.channel.open()
                except BaseException:
                    await self.channel.close()  # a half-open client must not leak
                    raise
            self._users += 1

    async def close(self) -> None:
        """Stop being a user; the last one out closes the channel."""
        async with self._users_lock:
            if self._users == 0:
                return
            self._users -= 1
            if self._users == 0:
                await self.channel.close()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[PacedSender[C]]:
        await self.open()
        try:
            yield self
        finally:
            await self.close()

    # ----- pacing -----------------------------------------------------------------------------

    @asynccontextmanager
    async def line(self, target: str) -> AsyncIterator[TargetLine]:
        """Hold `target`'s line: nothing else is sent to it meanwhile."""
        while True:
            line = self._lines.get(target)
            await line.lock.acquire()
            if self._lines.holds(target, line):
                break
            line.lock.release()  # swept by another thread meanwhile: take the current one
        try:
            yield line
        finally:
            line.lock.release()

    async def wait_turn(self, line: TargetLine) -> None:
        """Wait until the target's previous message is far enough behind (`answered`)."""
        wait = line.ready_at - self.clock()
        if wait > 0:
            await self.sleep(wait)

    async def admit(self, target: str, method: str | None = None) -> Admission:
        """Wait for room in every limit a request to `target` counts against and take it
        (`method`: an edit or delete with a budget of its own, `Pacing.method_keys`);
        returns the limiter keys (for `rate_limited`) and the shared budget's slot. Called
        holding the connection the request will leave on, so the token is spent only when it
        can leave at once. The caller settles the admission (`settle`)."""
        keys = self.pacing.keys(target)
        if method is not None:
            keys = keys + self.pacing.method_keys(method)
        await self.limiter.acquire(keys)
        try:
            slot = await self.shared.take(target) if self.shared is not None else None
        except BaseException:  # a database outage, a cancelled send: nothing leaves
            self.limiter.settle(keys)
            raise
        return Admission(keys, slot, target)

    async def depart(self, admission: Admission) -> None:
        """Called right before the request leaves (its in-flight mark committed): leave no
        faster than the limits allow, counted at departure. Waits only when requests were
        held up after admission and would otherwise leave together; one held up past its
        shared slot takes a new one (leaving late would crowd the other workers' sends)."""
        await self.door.acquire(admission.keys)
        if self.shared is not None and admission.slot is not None:
            await self.shared.renew_if_late(admission.target, admission.slot)

    def settle(self, admission: Admission) -> None:
        """The request `admit` let go was answered, failed or never left: the limits that
        count a request until its answer (`ratelimit.AnsweredBucket`) stop counting it as in
        flight. Exactly once per admission."""
        self.limiter.settle(admission.keys)

    def answered(self, line: TargetLine) -> None:
        """The provider answered a request on `line` (whatever it said)."""
        line.ready_at = self.clock() + self._interval

    async def rate_limited(self, keys: Iterable[Hashable], seconds: float) -> None:
        """The provider said retry_after: nothing counted against `keys` leaves for `seconds`,
        from this process or, through the shared limits, any other worker."""
        keys = list(keys)
        self.limiter.penalize(keys, seconds)
        if self.shared is not None:
            await self.shared.hold(keys, seconds)

    def count_target_sends(self, sends: Iterable[tuple[str, float]]) -> None:
        """Count sends another worker made to these targets (rows taken over from it): only
        the per-target limits, since the provider-wide ones already count them."""
        for target, at in sends:
            keys = [k for k in self.pacing.keys(target) if isinstance(k, tuple) and target in k]
            self.limiter.record(keys, at=at)

    def count_earlier_sends(self, sends: Iterable[tuple[str, float]]) -> None:
        """Count sends made before this process started (target, monotonic time), once: after
        that the limiter counts for itself."""
        if self._history_counted:
            return
        self._history_counted = True
        for target, at in sends:
            self.limiter.record(self.pacing.keys(target), at=at)

    def lines_tracked(self) -> int:
        """How many target lines are remembered right now."""
        return len(self._lines)


def _counted_at_release(pacing: Pacing) -> LimitFactory:
    """The door's limits: the pacing's, but none that counts a request until its answer.
    Such a limit already counts a request held up after admission as in flight (its
    arrival can only be later), and the door, which is never settled, cannot keep one."""

    def limit(key: Hashable) -> Limit | None:
        made = pacing.limit(key)
        return None if isinstance(made, AnsweredBucket) else made

    return limit


__all__ = ["LINE_SWEEP_SECONDS", "Admission", "PacedSender", "TargetLine"]
