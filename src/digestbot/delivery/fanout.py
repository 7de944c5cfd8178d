"""Fan one channel's digest out to every target recorded in the ledger, exactly once.

Concurrent across targets, in order within one target (Slack thread replies after their
parent). Every send first takes one of the channel's connections and its rate-limit token, then
is marked in flight in the ledger, then leaves; its outcome is written before the connection
is let go. So after a crash the ledger knows, per part, whether it was sent, never left, or may
have arrived (`uncertain`) - and at most one part per connection can be in that last state.

Sends go through the channel's `PacedSender`, shared with whatever else sends on the same
account (the bot's replies, alerts), and are tried by the one policy in `delivery.attempts`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from digestbot.channels.errors import ChannelError, PermanentError, TargetGone
from digestbot.delivery.attempts import PartResult, RetryPolicy, attempt, sending
from digestbot.delivery.paced import PacedSender, TargetLine
from digestbot.delivery.pacing import backoff_delay
from digestbot.delivery.workers import owner_is_dead
from digestbot.model import Channel, Variant
from digestbot.payloads import Payload
from digestbot.rendering.reach import Audience, audience_of
from digestbot.store import (
    ClaimedDelivery,
    DeliveryMoves,
    Ledger,
    PartState,
    Status,
    Subscribers,
    follow_migration,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    lease_seconds: float = 120.0
    concurrency: int = 50

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.backoff_base, self.backoff_cap)


@dataclass(frozen=True, slots=True)
class ChannelJob:
    channel: Channel
    sender: PacedSender[Any]
    payloads: Mapping[Variant, Sequence[Payload]]
    # For targets that can send commands (Telegram private chats), when their render differs.
    chat_payloads: Mapping[Variant, Sequence[Payload]] | None = None

    def payloads_for(self, target: str, variant: Variant) -> Sequence[Payload]:
        if self.chat_payloads is not None and audience_of(self.channel, target) is Audience.CHAT:
            return self.chat_payloads[variant]
        return self.payloads[variant]


@dataclass
class ChannelRun:
    """What one run did on one channel (the ledger's summary covers other workers too)."""

    channel: Channel
    delivered: Counter[Status] = field(default_factory=Counter)  # deliveries finished, by status
    parts_sent: int = 0
    rate_limited: int = 0  # 429s the provider answered despite our pacing
    seconds: float = 0.0
    error: str | None = None  # the channel could not be used at all (login failed, outage)


class Progress(Protocol):
    def channel_started(self, channel: Channel, pending: int) -> None: ...

    def delivery_done(self, channel: Channel, status: Status) -> None: ...


class FanoutStore(Ledger, DeliveryMoves, Subscribers, Protocol):
    """What the fan-out asks of the store: its work queue, and the readers who left or moved."""


class Fanout:
    def __init__(
        self,
        store: FanoutStore,
        settings: DeliverySettings,
        *,
        owner: str,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.settings = settings
        self.owner = owner
        self.progress = progress
        self.stop = stop or asyncio.Event()
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not secrecy
        self._retry = settings.retry
        self._monotonic = monotonic
        self._sleep = sleep

    async def open(self, job: ChannelJob) -> str | None:
        """Connect/log in, retrying a transient outage; the reason when it stays unusable."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await job.sender.open()
            except (PermanentError, TargetGone) as exc:
                return exc.detail
            except ChannelError as exc:
                if attempt >= self.settings.max_attempts:
                    return f"{exc.detail} (after {attempt} attempts)"
                await self._sleep(
                    backoff_delay(
                        attempt, self.settings.backoff_base, self.settings.backoff_cap, self._rng
                    )
                )
            else:
                return None

    async def run(self, issue_date: dt.date, job: ChannelJob) -> ChannelRun:
        """Open the channel, deliver everything claimable, close it. A channel that cannot be
        opened leaves its deliveries pending for the next run and says why in `error`."""
        started = self._monotonic()
        result = ChannelRun(job.channel)
        result.error = await self.open(job)
        if result.error is not None:
            log.error("%s unavailable, its deliveries stay pending: %s", job.channel, result.error)
            return result
        try:
            await self._deliver_all(issue_date, job, result)
        finally:
            await job.sender.close()
        result.seconds = self._monotonic() - started
        return result

    async def _deliver_all(self, issue_date: dt.date, job: ChannelJob, result: ChannelRun) -> None:
        for owner in self.store.lease_owners(issue_date, job.channel):
            if owner != self.owner and owner_is_dead(owner):
                log.warning("%s: taking over the leases of dead worker %s", job.channel, owner)
                self.store.break_leases(owner)
        self._replay_recent_sends(job)
        active: dict[int, asyncio.Task[Status]] = {}
        renewer = asyncio.create_task(self._renew_leases(active))
        try:
            while True:
                room = self.settings.concurrency - len(active)
                if room > 0 and not self.stop.is_set():
                    for claimed in self.store.claim(
                        issue_date, job.channel, self.owner, room, self.settings.lease_seconds
                    ):
                        active[claimed.id] = asyncio.create_task(
                            self._deliver(job, claimed, result)
                        )
                if not active:
                    break
                done, _ = await asyncio.wait(active.values(), return_when=asyncio.FIRST_COMPLETED)
                for delivery_id, task in list(active.items()):
                    if task in done:
                        del active[delivery_id]
                        status = task.result()
                        result.delivered[status] += 1
                        if self.progress is not None:
                            self.progress.delivery_done(job.channel, status)
        finally:
            renewer.cancel()
            for task in active.values():
                task.cancel()
            if active:
                await asyncio.gather(*active.values(), return_exceptions=True)
                self.store.release(list(active), self.owner)

    def _replay_recent_sends(self, job: ChannelJob) -> None:
        """Count what the ledger says was sent in the last minute (maybe by a run that crashed),
        so a resumed run does not burst into limits that run already used up. Once per sender:
        a sender that has been sending since counts its own sends."""
        wall_now = self.store.now()
        mono_now = job.sender.clock()
        recent = self.store.sent_since(job.channel, wall_now - dt.timedelta(seconds=60))
        job.sender.count_earlier_sends(
            (target, mono_now - (wall_now - sent_at).total_seconds()) for target, sent_at in recent
        )

    async def _renew_leases(self, active: Mapping[int, object]) -> None:
        interval = self.settings.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            if active:
                self.store.renew_lease(list(active), self.owner, self.settings.lease_seconds)

    async def _deliver(self, job: ChannelJob, claimed: ClaimedDelivery, run: ChannelRun) -> Status:
        status = Status.PENDING
        try:
            async with job.sender.line(claimed.target) as line:  # its parts stay together
                status = await self._send_parts(job, line, claimed, run)
            return status
        finally:
            # A finished row is never claimed again whatever its lease says (and `retry`
            # clears leases when it reopens rows), so only unfinished rows need handing back:
            # one transaction fewer per target.
            if status is Status.PENDING:
                self.store.release([claimed.id], self.owner)

    async def _send_parts(
        self, job: ChannelJob, line: TargetLine, claimed: ClaimedDelivery, run: ChannelRun
    ) -> Status:
        payloads = job.payloads_for(claimed.target, claimed.variant)
        if len(payloads) != claimed.parts_total:
            # The templates changed since the intent was recorded: sending a different split
            # would garble the parts already delivered.
            self.store.mark_part_failed(
                claimed.id,
                claimed.unsent_parts[0].index if claimed.unsent_parts else 0,
                f"the digest now renders as {len(payloads)} parts but the ledger recorded "
                f"{claimed.parts_total}; re-render with the original templates",
                permanent=True,
            )
            return Status.FAILED
        target = claimed.target
        reply_to: str | None = None
        for part in claimed.parts:
            if part.status in (Status.SENT, Status.SKIPPED):
                if part.index == 0:
                    reply_to = part.provider_message_id
                continue
            result = await self._send_part(
                job, line, claimed, part, target, payloads[part.index], reply_to
            )
            run.rate_limited += result.rate_limited
            if result.status is Status.SENT:
                run.parts_sent += 1
            if result.status is not Status.SENT:
                return result.status  # later parts wait: order within a target is kept
            target = result.target
            if part.index == 0:
                reply_to = result.message_id
        return Status.SENT

    async def _send_part(
        self,
        job: ChannelJob,
        line: TargetLine,
        claimed: ClaimedDelivery,
        part: PartState,
        target: str,
        payload: Payload,
        reply_to: str | None,
    ) -> PartResult:
        hooks = _PartInLedger(self.store, self.stop, job.channel, claimed.id, part.index)
        return await attempt(
            job.sender,
            line,
            target,
            sending(payload, reply_to),
            policy=self._retry,
            hooks=hooks,
            attempts=part.attempts,
            rng=self._rng,
        )


@dataclass(frozen=True, slots=True)
class _PartInLedger:
    """AttemptHooks that write each step of one part to the ledger."""

    store: FanoutStore
    stop: asyncio.Event
    channel: Channel
    delivery_id: int
    index: int

    def leaving(self) -> bool:
        if self.stop.is_set():
            return False  # never left: stays pending for the next run
        self.store.mark_part_in_flight(self.delivery_id, self.index)
        return True

    def retrying(self, error: ChannelError) -> None:
        self.store.mark_part_retrying(self.delivery_id, self.index, error.detail)

    def migrated(self, old: str, new: str) -> None:
        follow_migration(self.store, self.store, self.channel, old, new)
        log.info("%s: %s moved to %s", self.channel, old, new)

    def finished(self, result: PartResult) -> None:
        """Write how the part ended (PENDING: it never left, the row stays as it is)."""
        store, detail = self.store, result.error.detail if result.error else ""
        if result.status is Status.SENT:
            store.mark_part_sent(self.delivery_id, self.index, result.message_id)
        elif result.status is Status.UNCERTAIN:
            store.mark_part_uncertain(self.delivery_id, self.index, detail)
        elif result.status is Status.SKIPPED:
            store.deactivate(self.channel, result.target, detail)
            store.mark_delivery_skipped(self.delivery_id, detail)
        elif result.status is Status.FAILED:
            permanent = isinstance(result.error, PermanentError)
            store.mark_part_failed(self.delivery_id, self.index, detail, permanent=permanent)


__all__ = [
    "ChannelJob",
    "ChannelRun",
    "DeliverySettings",
    "Fanout",
    "Progress",
]
