"""The ledger off the event loop: a thread-backed facade over `Store`, so a slow database
never stalls the bot's replies, Slack's acks or `/healthz`.

- Every call runs on the store's own threads: one for the fan-out's work queue (claims, leases,
  part steps), one for everything else (intent rows, reads).
- Part steps are committed in groups: each waits for the group it joined to be committed
  (the in-flight mark of a request is durable before it leaves); the steps that arrive while
  one group is being written form the next. Under load a group holds many steps, so one
  transaction serves many messages.
- While the database is away every call waits and retries (`store.outage`); nothing is sent
  meanwhile because no in-flight mark gets written. Past `patience` seconds, calls raise
  StoreUnavailable."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, Protocol, TypeVar

from digestbot.model import Channel
from digestbot.store.interfaces import DeliveryMoves, Ledger, Subscribers, follow_migration
from digestbot.store.outage import Outage
from digestbot.store.records import ClaimedDelivery, PartStep

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S")
# A store method writing one owner's steps in one transaction, each fenced by its lease:
# `Ledger.record_steps`, or a retraction's `record_undo_steps`.
StepWriter = Callable[[str, Sequence[Any]], list[bool]]
MAX_GROUP = 1000  # steps per transaction: bounded so one group never holds the lock long
COALESCING_TURNS = 3  # loop turns a group waits for more steps (`_write_groups`)


class LedgerStore(Ledger, DeliveryMoves, Subscribers, Protocol):
    """What the facade wraps: the work queue, and the readers who left or moved."""


class OffLoopLedger:
    """See the module docstring. Open it on the event loop that uses it; `aclose()` when done
    (a process-long one, as in `digestbot run`, lives as long as the process)."""

    def __init__(
        self,
        store: LedgerStore,
        *,
        patience: float | None = None,
        outage: Outage | None = None,
    ) -> None:
        self.store = store
        self.patience = patience
        self.outage = outage or Outage()
        self._queue_thread = ThreadPoolExecutor(1, thread_name_prefix="digestbot-ledger")
        self._other_thread = ThreadPoolExecutor(1, thread_name_prefix="digestbot-store")
        self._waiting: list[tuple[StepWriter, str, Any, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.groups = 0  # transactions of steps written (benchmarks divide by it)

    # ----- calling the store off the loop ---------------------------------------------------

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args)` on the store's other thread, retried while the database is away."""
        return await self._retried(self._other_thread, functools.partial(fn, *args, **kwargs))

    async def _queue_call(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._retried(self._queue_thread, functools.partial(fn, *args))

    async def _retried(self, thread: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await self.outage.retry(lambda: loop.run_in_executor(thread, fn), self.patience)

    # ----- the work queue -------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.store.now()

    async def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        include_uncertain: bool = False,
        revision: int | None = None,
    ) -> list[ClaimedDelivery]:
        return await self._queue_call(
            self.store.claim,
            issue_date,
            channel,
            owner,
            limit,
            lease_seconds,
            include_uncertain,
            revision,
        )

    async def renew_lease(self, delivery_ids: Sequence[int], owner: str, seconds: float) -> int:
        return await self._queue_call(self.store.renew_lease, list(delivery_ids), owner, seconds)

    async def release(self, delivery_ids: Sequence[int], owner: str) -> int:
        return await self._queue_call(self.store.release, list(delivery_ids), owner)

    async def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]:
        return await self.call(self.store.lease_owners, issue_date, channel)

    async def break_leases(self, owner: str) -> int:
        return await self._queue_call(self.store.break_leases, owner)

    async def free_own_leases(self, owner: str, issue_date: dt.date, channel: Channel) -> int:
        return await self._queue_call(self.store.break_leases, owner, issue_date, channel)

    async def sent_since(
        self, channel: Channel, since: dt.datetime
    ) -> list[tuple[str, dt.datetime]]:
        return await self.call(self.store.sent_since, channel, since)

    async def step_down(
        self, claimed: ClaimedDelivery, form: str, parts_total: int, reason: str
    ) -> ClaimedDelivery | None:
        return await self._queue_call(
            self.store.step_down, claimed, form, parts_total, reason
        )

    async def deactivate(self, channel: Channel, target: str, reason: str) -> bool:
        return await self.call(self.store.deactivate, channel, target, reason)

    async def follow_migration(self, channel: Channel, old: str, new: str) -> None:
        await self.call(follow_migration, self.store, self.store, channel, old, new)

    # ----- part steps, committed in groups --------------------------------------------------

    async def record(self, owner: str, step: PartStep) -> bool:
        """Write `step` with whatever else is waiting; True once it is committed, False when
        `owner` no longer leases the delivery (nothing written: a refused in-flight mark
        means the request must not leave)."""
        return await self.record_with(self.store.record_steps, owner, step)

    async def record_with(
        self, writer: Callable[[str, Sequence[S]], list[bool]], owner: str, step: S
    ) -> bool:
        """`record` for steps another store method writes (a retraction's), in the same
        groups: one transaction per writer and owner."""
        return await self.queue_with(writer, owner, step)

    def queue(self, owner: str, step: PartStep) -> asyncio.Future[bool]:
        """`record` without waiting: `step` is queued now, behind every step queued before
        it (so it is committed with them or after them), and the future says when it is
        committed. An outcome queued before its connection is let go is thus never committed
        after the next in-flight mark on that connection."""
        return self.queue_with(self.store.record_steps, owner, step)

    def queue_with(
        self, writer: Callable[[str, Sequence[S]], list[bool]], owner: str, step: S
    ) -> asyncio.Future[bool]:
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((writer, owner, step, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_groups())
        return done

    async def _write_groups(self) -> None:
        """Runs while steps wait (`record` starts it again): between two checks of the list
        there is always an await, so a step added meanwhile is never left behind. It lets
        the loop turn a few times before taking a group: an outcome queued as its connection
        is let go starts it, and the send that takes the connection next queues its in-flight
        mark within those turns (an email send: 2, the mark being written by a task of its
        own beside the envelope), so both share one transaction instead of two in a row."""
        for _ in range(COALESCING_TURNS):
            await asyncio.sleep(0)
        while self._waiting:
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
            try:
                written = await self._queue_call(self._write_group, group)
            except Exception as exc:  # StoreUnavailable past patience, or a bug
                for *_, done in group:
                    if not done.done():
                        done.set_exception(exc)
                continue
            self.groups += 1
            for (*_, done), ok in zip(group, written, strict=True):
                if not done.done():  # its waiter may have been cancelled meanwhile
                    done.set_result(ok)

    def _write_group(self, group: Sequence[tuple[StepWriter, str, Any, object]]) -> list[bool]:
        """On the queue thread: one transaction per writer and owner (one, except in tests
        that play several workers in one process, or a retraction beside a fan-out)."""
        owners: dict[tuple[StepWriter, str], list[int]] = {}
        for position, (writer, owner, _, _) in enumerate(group):
            owners.setdefault((writer, owner), []).append(position)
        written = [False] * len(group)
        for (writer, owner), positions in owners.items():
            results = writer(owner, [group[i][2] for i in positions])
            for position, ok in zip(positions, results, strict=True):
                written[position] = ok
        return written

    async def __aenter__(self) -> OffLoopLedger:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Finish the groups already waiting, then stop the threads."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        self._queue_thread.shutdown(wait=True)
        self._other_thread.shutdown(wait=True)


__all__ = ["LedgerStore", "OffLoopLedger"]
