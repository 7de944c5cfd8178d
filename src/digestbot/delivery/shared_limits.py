"""The provider limits a send counts against that other workers on the database share: the
bot-wide budget (`shared_budget.SharedBudget`) and the chat's own (Telegram ~1 msg/s per chat,
Slack ~1 msg/s per channel), which two processes break together when one answers /today in a
chat the other is sending a many-part digest to.

A send first takes its slot in the bot-wide budget (without waiting for it), then the chat's,
reserved not before that slot: the sends that got their slots from the same block ask for
their chats in one statement (`ChatBudgets`), so the chats cost one statement per block, not
one per message. It then waits for the later of the two. A chat that was busy (another
worker's send to it is due) moves the send past it; the bot-wide slot it had is dropped and a
new one taken, and a send that still leaves later than its chat slot pushes the chat's row to
its real departure, so the chat's next send, from any worker, keeps its distance.

A send held up past its slot (its in-flight mark slow to commit) takes a new bot-wide slot
and pushes its chat's row to that departure: one more statement, on that rare path only.

A retry_after pushes the shared rows forward: the bot's for Telegram (its 429s stop the whole
bot), the chat's for either provider; every worker then waits it out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable

from digestbot.delivery.shared_budget import STALE_SECONDS, SharedBudget
from digestbot.ratelimit import Clock

log = logging.getLogger(__name__)

# (budget key, seconds from now it may leave at the earliest) → (when each leaves, db now)
ReserveEach = Callable[[list[tuple[str, float]]], Awaitable[tuple[dict[str, float], float]]]
# (budget key, seconds) → nothing in that budget leaves before then
Hold = Callable[[str, float], Awaitable[None]]
# Kinds of limiter key (`pacing.*.keys`) that are the chat's own limits.
CHAT_KINDS = frozenset({"chat", "group", "channel"})


class ChatBudgets:
    """Per-chat rows in the database, reserved in batches: the sends that ask in the same
    turn of the event loop share one statement; a chat asked for twice waits for the next."""

    def __init__(self, reserve: ReserveEach, *, clock: Clock = time.monotonic) -> None:
        self._reserve = reserve
        self._clock = clock
        self._next: dict[str, tuple[float, asyncio.Future[float]]] = {}
        self._flushing: asyncio.Task[None] | None = None
        self.statements = 0  # benchmarks divide by it

    async def take(self, key: str, not_before: float) -> float:
        """Reserve one send to the chat `key`, at `not_before` (our clock) at the earliest;
        returns when it may leave (our clock)."""
        while (queued := self._next.get(key)) is not None:
            await asyncio.wait([queued[1]])  # one per chat and batch: wait for its result
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._next[key] = (not_before, future)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush())
        # Shielded: a cancelled sender must not fail the batch; its slot is simply not used.
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._next:
            batch, self._next = self._next, {}
            now = self._clock()
            try:
                times, db_now = await self._reserve(
                    [(key, not_before - now) for key, (not_before, _) in batch.items()]
                )
            except BaseException as exc:  # the waiters raise it (a database outage)
                for _, future in batch.values():
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.statements += 1
            # As in `SharedBudget`: our clock now stands for the database's `now`, so every
            # time is a hair later than it could be, never earlier.
            offset = self._clock() - db_now
            for key, (_, future) in batch.items():
                if not future.done():
                    future.set_result(times[key] + offset)


class SharedLimits:
    """A sender's limits shared through the database: the bot-wide budget (Telegram; None for
    Slack, whose limits are per channel) and the per-chat rows, keyed `chat_prefix + target`."""

    def __init__(
        self,
        bot: SharedBudget | None,
        chats: ChatBudgets,
        *,
        chat_prefix: str,
        chat_interval: float,
        bot_key: str | None,
        hold: Hold,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.chats = chats
        self._prefix = chat_prefix
        self.chat_interval = chat_interval
        self._bot_key = bot_key
        self._hold = hold
        self._clock = clock
        self._sleep = sleep
        self.busy = 0  # sends moved past another worker's send to the same chat

    def chat_key(self, target: str) -> str:
        return self._prefix + target

    async def take(self, target: str) -> float:
        """Wait until a send to `target` may leave by both shared limits; returns that time."""
        key = self.chat_key(target)
        slot = await self.bot.next_time() if self.bot is not None else self._clock()
        at = await self.chats.take(key, slot)
        if at > slot + STALE_SECONDS and self.bot is not None:
            # The chat is busy: our bot-wide slot passes unused; the chat's time is ours.
            self.busy += 1
            await self._until(at)
            slot = await self.bot.take()
            if slot > at + STALE_SECONDS:  # left later than the chat's row says
                await self._hold(key, slot - self._clock() + self.chat_interval)
            return max(slot, at)
        await self._until(max(slot, at))
        return max(slot, at)

    async def renew_if_late(self, target: str, at: float) -> float:
        """The send that took the time `at` is about to leave: if that is later than a
        reserved time stays good (its in-flight mark took long to commit), it takes a new
        bot-wide slot. Returns the time it leaves at."""
        if self._clock() - at <= STALE_SECONDS:
            return at
        # Only the bot-wide slot is taken again: the chat's row already counts this send
        # (taking it again would wait a whole interval behind ourselves); it is moved to
        # where the send really leaves, so the chat's next send keeps its distance.
        leaves = await self.bot.renew_if_late(at) if self.bot is not None else self._clock()
        await self._hold(self.chat_key(target), leaves - self._clock() + self.chat_interval)
        return leaves

    async def hold(self, keys: Iterable[Hashable], seconds: float) -> None:
        """The provider said retry_after for a send counted against `keys`: every worker
        waits it out, for the whole bot when the bot's key is among them."""
        tuples = [key for key in keys if isinstance(key, tuple) and key]
        kinds = {key[0] for key in tuples}
        chats = {str(key[1]) for key in tuples if key[0] in CHAT_KINDS and len(key) > 1}
        try:
            if self.bot is not None and self._bot_key is not None and "bot" in kinds:
                self.bot.drop_before(self._clock() + seconds)
                await self._hold(self._bot_key, seconds + self.bot.tolerance)
            for target in chats:
                await self._hold(self.chat_key(target), seconds)
        except Exception:  # the local limiter still waits; the others learn by their 429
            log.warning("could not share a retry_after of %.0f s", seconds, exc_info=True)

    async def _until(self, at: float) -> None:
        wait = at - self._clock()
        if wait > 0:
            await self._sleep(wait)


__all__ = ["CHAT_KINDS", "ChatBudgets", "Hold", "ReserveEach", "SharedLimits"]
