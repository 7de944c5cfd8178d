"""Take one channel's share of a retracted issue back: delete every message the ledger holds
an id of (Telegram deleteMessage, Slack chat.delete: thread replies before their parent), or
send email readers the retraction notice.

The same machinery as a send: rows claimed in batches with a lease (`ClaimQueue`), the
channel's `PacedSender` (its slots, its limits - and Slack's per-workspace budget for
chat.delete), the one retry policy of `delivery.attempts`, each request marked in flight before
it leaves. After a crash the next run does what is left: a deletion that was in flight is
simply made again (the provider answers "not found", which counts as deleted), a notice that
was in flight is never sent twice. Requests the provider refuses for good ("message can't be
deleted" after 48 hours) are recorded as not deletable and never retried."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from digestbot.channels.base import Connection, Deletable
from digestbot.channels.errors import ChannelError, PermanentError, TargetGone
from digestbot.delivery.attempts import Action, attempt, sending
from digestbot.delivery.claims import ClaimQueue
from digestbot.delivery.fanout import DeliverySettings
from digestbot.delivery.paced import PacedSender
from digestbot.delivery.pacing import backoff_delay
from digestbot.delivery.part_actions import method_of
from digestbot.delivery.undo_ledger import UndoInLedger, UndoQueue, undo_state
from digestbot.model import Channel
from digestbot.payloads import Payload
from digestbot.store import ClaimedRetraction, PartAction, Undo, UndoPart

log = logging.getLogger(__name__)


@dataclass
class RetractionRun:
    """What one run did on one channel (the ledger's summary covers other workers too)."""

    channel: Channel
    requests: Counter[Undo] = field(default_factory=Counter)  # finished requests, by outcome
    rate_limited: int = 0
    seconds: float = 0.0
    error: str | None = None  # the channel could not be used at all


def deleting(message_id: str) -> Action:
    """The Action that deletes `message_id`; one already gone counts as deleted."""

    async def delete(connection: Connection, target: str) -> str:
        if not isinstance(connection, Deletable):
            raise PermanentError(f"messages of {type(connection).__name__} cannot be deleted")
        await connection.delete(target, message_id)
        return message_id

    return delete


class Retractor:
    def __init__(
        self,
        queue: UndoQueue,
        settings: DeliverySettings,
        *,
        owner: str,
        stop: asyncio.Event | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.queue = queue
        self.settings = settings
        self.owner = owner
        self.stop = stop or asyncio.Event()
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not secrecy
        self._monotonic = monotonic
        self._sleep = sleep

    async def run(
        self,
        issue_date: dt.date,
        channel: Channel,
        sender: PacedSender[Any],
        notice: Payload | None = None,
    ) -> RetractionRun:
        """Open the channel, do every claimable retraction of it, close it. `notice` is what
        email readers get (required when the channel is email)."""
        started = self._monotonic()
        run = RetractionRun(channel)
        run.error = await self._open(sender)
        if run.error is not None:
            log.error("%s unavailable, its retraction stays pending: %s", channel, run.error)
            return run
        try:
            await self._undo_all(issue_date, channel, sender, notice, run)
        finally:
            await sender.close()
        run.seconds = self._monotonic() - started
        return run

    async def _open(self, sender: PacedSender[Any]) -> str | None:
        tries = 0
        while True:
            tries += 1
            try:
                await sender.open()
            except (PermanentError, TargetGone) as exc:
                return exc.detail
            except ChannelError as exc:
                if tries >= self.settings.max_attempts:
                    return f"{exc.detail} (after {tries} attempts)"
                s = self.settings
                await self._sleep(backoff_delay(tries, s.backoff_base, s.backoff_cap, self._rng))
            else:
                return None

    async def _undo_all(
        self,
        issue_date: dt.date,
        channel: Channel,
        sender: PacedSender[Any],
        notice: Payload | None,
        run: RetractionRun,
    ) -> None:
        claims: ClaimQueue[ClaimedRetraction] = ClaimQueue(
            self.queue,
            issue_date,
            channel,
            owner=self.owner,
            batch=self.settings.concurrency,
            lease_seconds=self.settings.lease_seconds,
        )
        await claims.others_hold_work()  # a dead predecessor's rows are claimable at once
        await self._replay_recent_requests(channel, sender)
        active: dict[int, asyncio.Task[bool]] = {}
        async with claims.working(active):
            while True:
                while len(active) < self.settings.concurrency and not self.stop.is_set():
                    claimed = await claims.next()
                    if claimed is None:
                        break
                    undo = self._undo(sender, claimed, notice, run)
                    active[claimed.id] = asyncio.create_task(undo)
                if not active:
                    # Nothing claimable: done, unless a fan-out is still sending one of these
                    # deliveries or another worker is retracting (wait; the dead are taken
                    # over).
                    if self.stop.is_set() or not await claims.others_hold_work():
                        break
                    await self._sleep(self.settings.others_poll_seconds)
                    continue
                done, _ = await asyncio.wait(active.values(), return_when=asyncio.FIRST_COMPLETED)
                for delivery_id, task in list(active.items()):
                    if task in done:
                        del active[delivery_id]
                        if task.result():
                            claims.finished(delivery_id)

    async def _replay_recent_requests(self, channel: Channel, sender: PacedSender[Any]) -> None:
        """Count the last minute's requests on the channel (a crashed run's too), so a resumed
        retraction does not burst into limits already used up."""
        wall_now = self.queue.now()
        mono_now = sender.clock()
        recent = await self.queue.recent_requests(channel, wall_now - dt.timedelta(seconds=60))
        sender.count_earlier_sends(
            (target, mono_now - (wall_now - at).total_seconds()) for target, at in recent
        )

    async def _undo(
        self,
        sender: PacedSender[Any],
        claimed: ClaimedRetraction,
        notice: Payload | None,
        run: RetractionRun,
    ) -> bool:
        """Every request of one delivery's retraction, in order, holding its target's line.
        A refused deletion does not stop the others. False when it stopped early."""
        async with sender.line(claimed.target) as line:
            for part in claimed.parts:
                action, method = self._action(claimed.channel, part, notice)
                hooks = UndoInLedger(
                    self.queue, self.owner, self.stop, claimed.id, part.index, part.is_notice
                )
                result = await attempt(
                    sender,
                    line,
                    claimed.target,
                    action,
                    policy=self.settings.retry,
                    hooks=hooks,
                    attempts=part.attempts,
                    rng=self._rng,
                    method=method,
                )
                run.rate_limited += result.rate_limited
                state = undo_state(result, notice=part.is_notice)
                if state is None:
                    return False
                run.requests[state] += 1
        return True

    @staticmethod
    def _action(
        channel: Channel, part: UndoPart, notice: Payload | None
    ) -> tuple[Action, str | None]:
        if part.message_id is not None:
            return deleting(part.message_id), method_of(channel, PartAction.DELETE)
        if notice is None:
            raise ValueError(f"{channel}: a retraction notice is owed but none was given")
        return sending(notice), None


__all__ = ["RetractionRun", "Retractor", "deleting"]
