"""The ledger's side of one part's tries: `AttemptHooks` that record every step, awaited
where it happens. The in-flight mark is committed before the request leaves (and refused when
the lease is lost: then it does not leave); the outcome is committed before anything else is
sent after it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field

from digestbot.channels.errors import ChannelError, PermanentError
from digestbot.delivery.attempts import PartResult
from digestbot.delivery.halt import ChannelHalt, is_channel_wide
from digestbot.model import Channel
from digestbot.store import PartStep, Status, WorkQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PartInLedger:
    ledger: WorkQueue
    owner: str
    stop: asyncio.Event
    channel: Channel
    delivery_id: int
    index: int
    halt: ChannelHalt = field(default_factory=ChannelHalt)

    async def leaving(self) -> bool:
        if self.stop.is_set() or self.halt.tripped:
            return False  # never left: stays pending for the next run
        if await self.ledger.record(self.owner, PartStep.in_flight(self.delivery_id, self.index)):
            return True
        log.warning(
            "%s: delivery %s was taken over by another worker; not sending it",
            self.channel,
            self.delivery_id,
        )
        return False

    async def retrying(self, error: ChannelError) -> None:
        await self.ledger.record(
            self.owner, PartStep.retrying(self.delivery_id, self.index, error.detail)
        )

    async def migrated(self, old: str, new: str) -> None:
        await self.ledger.follow_migration(self.channel, old, new)
        log.info("%s: %s moved to %s", self.channel, old, new)

    async def finished(self, result: PartResult) -> Awaitable[None] | None:
        """Queues the outcome (`WorkQueue.queue`) and returns its commit to await."""
        if result.status is Status.PENDING and is_channel_wide(result.error):
            # Tripped here, not once the commit is in: the connection is let go before that,
            # and nothing may leave on it after a refusal for the whole channel.
            assert result.error is not None
            self.halt.trip(result.error)
        step = await self._outcome(result)
        if step is None:
            return None
        return self._confirm(self.ledger.queue(self.owner, step), result)

    async def _confirm(self, written: Awaitable[bool], result: PartResult) -> None:
        if not await written:
            # Another worker took the row over while this request was out: its claim turned
            # the part uncertain, which is what the ledger can honestly say now.
            log.warning(
                "%s: delivery %s changed hands while part %s was out; its outcome (%s) is not "
                "recorded",
                self.channel,
                self.delivery_id,
                self.index,
                result.status,
            )

    async def _outcome(self, result: PartResult) -> PartStep | None:
        delivery, index = self.delivery_id, self.index
        detail = result.error.detail if result.error else ""
        if result.status is Status.SENT:
            return PartStep.sent(delivery, index, result.message_id)
        if result.status is Status.UNCERTAIN:
            return PartStep.uncertain(delivery, index, detail)
        if result.status is Status.SKIPPED:
            await self.ledger.deactivate(self.channel, result.target, detail)
            return PartStep.skipped(delivery, detail)
        if result.status is Status.FAILED:
            permanent = isinstance(result.error, PermanentError)
            return PartStep.failed(delivery, index, detail, permanent=permanent)
        if result.error is not None:
            # The channel as a whole refused (`delivery.halt`): back to pending, with the
            # reason for `digestbot log`, and no longer in flight.
            return PartStep.retrying(delivery, index, detail)
        return None  # PENDING: it never left, the row stays as it is


__all__ = ["PartInLedger"]
