"""Fan one channel's digest out to every target recorded in the ledger, exactly once.

Concurrent across targets, in order within one target (Slack thread replies after their
parent). Every send first passes the rate limiter, then is marked in flight in the ledger, then
leaves; its outcome is written before the next part. So after a crash the ledger knows, per
part, whether it was sent, never left, or may have arrived (`uncertain`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from digestbot.channels.base import Channel
from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TargetGone,
    UncertainDelivery,
)
from digestbot.delivery.pacing import Pacing, backoff_delay
from digestbot.model import Variant
from digestbot.ratelimit import MultiLimiter
from digestbot.rendering.payloads import Payload
from digestbot.store import ClaimedDelivery, PartState, Status, Store

log = logging.getLogger(__name__)

# A provider that keeps answering 429 for one part this often is not being paced, it is down.
MAX_RATE_LIMITED_RETRIES = 20


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    lease_seconds: float = 120.0
    concurrency: int = 50


@dataclass(frozen=True, slots=True)
class ChannelJob:
    channel: str  # the ledger's channel name: telegram | slack | email
    sender: Channel
    payloads: Mapping[Variant, Sequence[Payload]]
    pacing: Pacing


@dataclass
class ChannelRun:
    """What one run did on one channel (the ledger's summary covers other workers too)."""

    channel: str
    delivered: Counter[Status] = field(default_factory=Counter)  # deliveries finished, by status
    parts_sent: int = 0
    rate_limited: int = 0  # 429s the provider answered despite our pacing
    seconds: float = 0.0
    error: str | None = None  # the channel could not be used at all (login failed, outage)


class Progress(Protocol):
    def channel_started(self, channel: str, pending: int) -> None: ...

    def delivery_done(self, channel: str, status: Status) -> None: ...


def worker_id() -> str:
    """Names this process in leases, so an operator can tell which worker holds a row."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    """True when `owner` ("host:pid", see `worker_id`) is a process of this host that is gone.
    Workers on other hosts are never judged: their leases simply expire."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


class Fanout:
    def __init__(
        self,
        store: Store,
        settings: DeliverySettings,
        *,
        owner: str,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
        rng: random.Random | None = None,
        limiters: dict[str, MultiLimiter] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.settings = settings
        self.owner = owner
        self.progress = progress
        self.stop = stop or asyncio.Event()
        self._rng = rng or random.Random()  # noqa: S311 -- jitter, not secrecy
        # Shared with whatever else sends on the same bot token (the bot's /today replies).
        self.limiters = limiters if limiters is not None else {}
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
        limiter = self.limiters.get(job.channel)
        if limiter is None:
            limiter = MultiLimiter(job.pacing.limit, clock=self._monotonic, sleep=self._sleep)
            self._replay_recent_sends(limiter, job)
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
                            self._deliver(job, limiter, claimed, result)
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

    def _replay_recent_sends(self, limiter: MultiLimiter, job: ChannelJob) -> None:
        """Count what the ledger says was sent in the last minute (maybe by a run that crashed),
        so a resumed run does not burst into limits that run already used up."""
        wall_now = self.store.now()
        mono_now = self._monotonic()
        for target, sent_at in self.store.sent_since(
            job.channel, wall_now - dt.timedelta(seconds=60)
        ):
            at = mono_now - (wall_now - sent_at).total_seconds()
            limiter.record(job.pacing.keys(target), at=at)

    async def _renew_leases(self, active: Mapping[int, object]) -> None:
        interval = self.settings.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            if active:
                self.store.renew_lease(list(active), self.owner, self.settings.lease_seconds)

    async def _deliver(
        self, job: ChannelJob, limiter: MultiLimiter, claimed: ClaimedDelivery, run: ChannelRun
    ) -> Status:
        status = Status.PENDING
        try:
            status = await self._send_parts(job, limiter, claimed, run)
            return status
        finally:
            # A finished row is never claimed again whatever its lease says (and `retry`
            # clears leases when it reopens rows), so only unfinished rows need handing back:
            # one transaction fewer per target.
            if status is Status.PENDING:
                self.store.release([claimed.id], self.owner)

    async def _send_parts(
        self, job: ChannelJob, limiter: MultiLimiter, claimed: ClaimedDelivery, run: ChannelRun
    ) -> Status:
        payloads = job.payloads[claimed.variant]
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
            status, target, message_id = await self._send_part(
                job, limiter, claimed, part, target, payloads[part.index], reply_to, run
            )
            if status is not Status.SENT:
                return status  # later parts wait: order within a target is kept
            if part.index == 0:
                reply_to = message_id
        return Status.SENT

    async def _send_part(
        self,
        job: ChannelJob,
        limiter: MultiLimiter,
        claimed: ClaimedDelivery,
        part: PartState,
        target: str,
        payload: Payload,
        reply_to: str | None,
        run: ChannelRun,
    ) -> tuple[Status, str, str | None]:
        attempts = part.attempts
        rate_limited = 0
        store, settings = self.store, self.settings
        while True:
            keys: list[Hashable] = job.pacing.keys(target)
            await limiter.acquire(keys)
            if self.stop.is_set():
                return Status.PENDING, target, None  # never left: stays pending
            store.mark_part_in_flight(claimed.id, part.index)
            attempts += 1
            try:
                message_id = await job.sender.send(target, payload, reply_to=reply_to)
            except RetryAfter as exc:
                run.rate_limited += 1
                rate_limited += 1
                limiter.penalize(keys, exc.seconds)
                if rate_limited > MAX_RATE_LIMITED_RETRIES:
                    store.mark_part_failed(claimed.id, part.index, exc.detail, permanent=False)
                    return Status.FAILED, target, None
                store.mark_part_retrying(claimed.id, part.index, exc.detail)
            except ChatMigrated as exc:
                store.mark_part_retrying(claimed.id, part.index, exc.detail)
                store.migrate_target(job.channel, target, exc.new_chat_id)
                log.info("%s: %s moved to %s", job.channel, target, exc.new_chat_id)
                target = exc.new_chat_id
            except UncertainDelivery as exc:
                store.mark_part_uncertain(claimed.id, part.index, exc.detail)
                return Status.UNCERTAIN, target, None
            except TargetGone as exc:
                store.deactivate(job.channel, target, exc.detail)
                store.mark_delivery_skipped(claimed.id, exc.detail)
                return Status.SKIPPED, target, None
            except PermanentError as exc:
                store.mark_part_failed(claimed.id, part.index, exc.detail, permanent=True)
                return Status.FAILED, target, None
            except ChannelError as exc:  # TransientError and anything unclassified
                if attempts >= settings.max_attempts:
                    store.mark_part_failed(claimed.id, part.index, exc.detail, permanent=False)
                    return Status.FAILED, target, None
                store.mark_part_retrying(claimed.id, part.index, exc.detail)
                await self._sleep(
                    backoff_delay(attempts, settings.backoff_base, settings.backoff_cap, self._rng)
                )
            except Exception as exc:  # a bug, not a provider answer: the request may have left
                log.exception("%s: unexpected error sending to %s", job.channel, target)
                store.mark_part_uncertain(
                    claimed.id, part.index, f"unexpected {type(exc).__name__} while sending"
                )
                return Status.UNCERTAIN, target, None
            else:
                store.mark_part_sent(claimed.id, part.index, message_id)
                run.parts_sent += 1
                return Status.SENT, target, message_id


__all__ = [
    "ChannelJob",
    "ChannelRun",
    "DeliverySettings",
    "Fanout",
    "Progress",
    "owner_is_dead",
    "worker_id",
]
