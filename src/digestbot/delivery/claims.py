"""This worker's share of one channel's deliveries, claimed ahead of need.

Rows are leased in batches: a queue of `batch` claimed deliveries, refilled in the background
when it is half empty, so the fan-out never waits for a claim while there is work, and one
claim transaction serves many messages. Leases on what the worker holds (queued or being
sent) are renewed; what it did not finish is handed back when it stops.

When nothing is left to claim but other workers still hold rows, the worker waits for them
instead of calling the issue unfinished: it takes over at once the rows of a worker it can see
is dead (a process of this host that is gone, or its own predecessor under the same pid), and
the others' when their leases run out."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from digestbot.delivery.workers import owner_is_dead
from digestbot.model import Channel

log = logging.getLogger(__name__)


class Claimed(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Claimed)


class Leases(Protocol[T]):
    """A leased work queue: the deliveries (`store.WorkQueue`), or a retraction's rows."""

    async def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        *,
        revision: int | None = None,
    ) -> list[T]:
        """Up to `limit` rows leased to `owner` (only those carrying `revision`, when the
        queue has revisions)."""
        ...

    async def renew_lease(self, delivery_ids: Sequence[int], owner: str, seconds: float) -> int: ...

    async def release(self, delivery_ids: Sequence[int], owner: str) -> int: ...

    async def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]: ...

    async def break_leases(self, owner: str) -> int: ...

    async def free_own_leases(self, owner: str, issue_date: dt.date, channel: Channel) -> int:
        """End `owner`'s leases on this issue and channel: rows a claim leased to it whose
        answer was lost (to a database outage). 0 where the queue cannot tell them apart."""
        ...


class ClaimQueue(Generic[T]):
    def __init__(
        self,
        ledger: Leases[T],
        issue_date: dt.date,
        channel: Channel,
        *,
        owner: str,
        batch: int,
        lease_seconds: float,
        revision: int | None = None,
    ) -> None:
        self.ledger = ledger
        self.issue_date = issue_date
        self.channel = channel
        self.owner = owner
        self.batch = max(1, batch)
        self.lease_seconds = lease_seconds
        self.revision = revision  # claim only rows carrying this revision of the issue
        self._queue: deque[T] = deque()
        self._refill: asyncio.Task[list[T]] | None = None
        self._drained = False  # the last claim came back short: nothing more to claim now
        self.held: set[int] = set()  # leased to this worker and not finished: queued or active
        self.claims = 0  # claim transactions (benchmarks divide by it)
        self.takeovers = 0  # dead workers whose rows this queue freed

    async def next(self) -> T | None:
        """The next delivery to send, or None when nothing is claimable right now."""
        if len(self._queue) <= self.batch // 2 and not self._drained and self._refill is None:
            self._refill = asyncio.create_task(self._claim(self.batch - len(self._queue)))
        if not self._queue and self._refill is not None:
            await self._take_refill()
        return self._queue.popleft() if self._queue else None

    async def _claim(self, limit: int) -> list[T]:
        self.claims += 1
        return await self.ledger.claim(
            self.issue_date,
            self.channel,
            self.owner,
            limit,
            self.lease_seconds,
            revision=self.revision,
        )

    async def _take_refill(self) -> None:
        refill, self._refill = self._refill, None
        assert refill is not None
        claimed = await refill
        self._drained = len(claimed) == 0
        self._queue.extend(claimed)
        self.held.update(c.id for c in claimed)

    def finished(self, delivery_id: int) -> None:
        """The delivery is done (sent, failed, skipped, uncertain): no lease to keep."""
        self.held.discard(delivery_id)

    def rescan(self) -> None:
        """Look for claimable rows again (others released some, or leases ran out)."""
        self._drained = False

    async def keep_leases(self) -> None:
        """Renew what this worker holds, three times per lease: until cancelled."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            if self.held:
                await self.ledger.renew_lease(list(self.held), self.owner, self.lease_seconds)

    async def others_hold_work(self) -> bool:
        """Whether other workers still hold unfinished rows of this issue and channel. The
        rows of a worker that is certainly dead are freed for claiming at once. Called when
        this worker has nothing queued or being sent, so rows still leased to it are ones it
        does not know of (a claim whose answer an outage lost): those are freed too."""
        others = await self.ledger.lease_owners(self.issue_date, self.channel)
        if self.owner in others and not self._queue and self._refill is None:
            others.discard(self.owner)
            log.warning("%s: freeing rows leased to this worker by a lost claim", self.channel)
            await self.ledger.free_own_leases(self.owner, self.issue_date, self.channel)
        others.discard(self.owner)
        for other in others:
            if owner_is_dead(other, self.owner):
                log.warning("%s: taking over the rows of dead worker %s", self.channel, other)
                await self.ledger.break_leases(other)
                self.takeovers += 1
        self.rescan()
        return bool(others)

    @contextlib.asynccontextmanager
    async def working(self, active: Mapping[int, asyncio.Task[Any]]) -> AsyncIterator[None]:
        """The leases of what this worker holds are renewed while the body runs. However it
        ends (done, stopped, cancelled, an error), the tasks still in `active` are cancelled
        and waited for, and only then is what was not finished handed back (`close`)."""
        renewer = asyncio.create_task(self.keep_leases())
        try:
            yield
        finally:
            renewer.cancel()
            for task in active.values():
                task.cancel()
            await asyncio.gather(renewer, *active.values(), return_exceptions=True)
            await self.close()

    async def close(self) -> None:
        """Hand back everything claimed and not finished (a row with a part in flight turns
        `uncertain` when it is claimed next)."""
        if self._refill is not None:  # let it land, so what it claimed is handed back too
            refill, self._refill = self._refill, None
            claimed = (await asyncio.gather(refill, return_exceptions=True))[0]
            if isinstance(claimed, list):
                self.held.update(c.id for c in claimed)
        self._queue.clear()
        if self.held:
            await self.ledger.release(sorted(self.held), self.owner)
            self.held.clear()


__all__ = ["ClaimQueue", "Claimed", "Leases"]
