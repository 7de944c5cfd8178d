"""The ledger's side of a retraction: its rows as a leased work queue (`claims.Leases`) off
the event loop, and `AttemptHooks` that record every step of one request - the in-flight mark
committed before it leaves (refused when the lease is lost: then it does not leave), the
outcome committed before the connection is let go."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from digestbot.channels.errors import ChannelError, PermanentError
from digestbot.delivery.attempts import PartResult
from digestbot.model import Channel
from digestbot.store import ClaimedRetraction, OffLoopLedger, Retractions, Status, Undo, UndoStep

log = logging.getLogger(__name__)


class UndoQueue:
    """The retraction rows of `store.retractions`, called on the store's threads."""

    def __init__(self, ledger: OffLoopLedger, store: Retractions) -> None:
        self.ledger = ledger
        self.store = store

    def now(self) -> dt.datetime:
        return self.store.now()

    async def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        *,
        revision: int | None = None,  # a retraction takes back every revision
    ) -> list[ClaimedRetraction]:
        return await self.ledger.call(
            self.store.claim_retractions, issue_date, channel, owner, limit, lease_seconds
        )

    async def renew_lease(self, delivery_ids: Sequence[int], owner: str, seconds: float) -> int:
        return await self.ledger.call(
            self.store.renew_retraction_leases, list(delivery_ids), owner, seconds
        )

    async def release(self, delivery_ids: Sequence[int], owner: str) -> int:
        return await self.ledger.call(self.store.release_retractions, list(delivery_ids), owner)

    async def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]:
        return await self.ledger.call(self.store.retraction_owners, issue_date, channel)

    async def break_leases(self, owner: str) -> int:
        return await self.ledger.call(self.store.break_retraction_leases, owner)

    async def free_own_leases(self, owner: str, issue_date: dt.date, channel: Channel) -> int:
        # The owners of a retraction's rows include the fan-outs sending its deliveries (this
        # process's among them): its own rows cannot be told apart here, so a lost claim's
        # rows wait for their lease to run out.
        return 0

    async def record(self, owner: str, step: UndoStep) -> bool:
        """Committed with the other steps waiting (one transaction for many requests)."""
        return await self.ledger.record_with(self.store.record_undo_steps, owner, step)

    async def recent_requests(
        self, channel: Channel, since: dt.datetime
    ) -> list[tuple[str, dt.datetime]]:
        """Sends and retraction requests on `channel` since `since` (a crashed run's too)."""
        sent = await self.ledger.call(self.store.sent_since, channel, since)
        undone = await self.ledger.call(self.store.undo_requests_since, channel, since)
        return sent + undone


def undo_state(result: PartResult, *, notice: bool) -> Undo | None:
    """What a finished request means for the retraction (None: it never left)."""
    if result.status is Status.SENT:
        return Undo.NOTIFIED if notice else Undo.DELETED
    if result.status is Status.UNCERTAIN:
        return Undo.UNCERTAIN
    if result.status is Status.PENDING:
        return None
    if notice:
        return Undo.FAILED
    # A message the provider will not delete (48 hours), or in a chat the bot can no longer
    # reach (kicked, chat gone): it stays where it is, and no rerun can change that.
    permanent = result.status is Status.SKIPPED or isinstance(result.error, PermanentError)
    return Undo.NOT_DELETABLE if permanent else Undo.FAILED


@dataclass(frozen=True, slots=True)
class UndoInLedger:
    queue: UndoQueue
    owner: str
    stop: asyncio.Event
    delivery_id: int
    index: int
    notice: bool

    async def leaving(self) -> bool:
        if self.stop.is_set():
            return False
        if await self.queue.record(self.owner, UndoStep.in_flight(self.delivery_id, self.index)):
            return True
        log.warning("retraction of delivery %s was taken over; not sending", self.delivery_id)
        return False

    async def retrying(self, error: ChannelError) -> None:
        step = UndoStep.retrying(self.delivery_id, self.index, error.detail)
        await self.queue.record(self.owner, step)

    async def migrated(self, old: str, new: str) -> None:
        log.info("retraction: %s moved to %s", old, new)

    async def finished(self, result: PartResult) -> None:
        state = undo_state(result, notice=self.notice)
        if state is None:
            return
        error = result.error
        step = UndoStep.done(
            self.delivery_id,
            self.index,
            state,
            error.detail if error is not None else None,
            permanent=state is Undo.NOT_DELETABLE
            or (state is Undo.FAILED and isinstance(error, PermanentError)),
        )
        if not await self.queue.record(self.owner, step):
            log.warning(
                "retraction of delivery %s changed hands while part %s was out; its outcome "
                "(%s) is not recorded",
                self.delivery_id,
                self.index,
                state,
            )


__all__ = ["UndoInLedger", "UndoQueue", "undo_state"]
