"""Fan one channel's digest out to every target recorded in the ledger, exactly once.

Concurrent across targets, in order within one target (Slack thread replies after their
parent). Every send first takes one of the channel's connections and its rate-limit token, then
is marked in flight in the ledger, then leaves; its outcome is written before the connection
is let go. So after a crash the ledger knows, per part, whether it was sent, never left, or may
have arrived (`uncertain`) - and at most one part per connection can be in that last state.

The ledger is used off the event loop (`store.WorkQueue`): deliveries are claimed in batches
ahead of need (`ClaimQueue`), and the steps of many parts are committed together. While the
database is away nothing leaves (no in-flight mark can be written) and the work waits for it.

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

from digestbot.channels.errors import PayloadRejected, PermanentError
from digestbot.delivery.attempts import Action, PartResult, RetryPolicy, attempt, sending
from digestbot.delivery.claims import ClaimQueue
from digestbot.delivery.halt import ChannelHalt, is_channel_wide, until_open
from digestbot.delivery.paced import PacedSender, TargetLine
from digestbot.delivery.part_actions import (
    EditInLedger,
    cannot_edit,
    deleting,
    editing,
    method_of,
)
from digestbot.delivery.part_ledger import PartInLedger
from digestbot.delivery.stepdown import form_payloads, step_down
from digestbot.model import Channel, Variant
from digestbot.payloads import Payload
from digestbot.rendering.marks import marked_as_correction
from digestbot.rendering.reach import Audience, audience_of
from digestbot.store import (
    ClaimedDelivery,
    PartAction,
    PartState,
    PartStep,
    Status,
    WorkQueue,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    lease_seconds: float = 120.0
    concurrency: int = 50  # deliveries being sent at once (each waits for its turn and slot)
    # How often a worker with nothing left to claim looks whether the others finished or died.
    others_poll_seconds: float = 1.0

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
    # The issue revision these payloads render: only deliveries carrying it are claimed.
    revision: int | None = None
    # Email correction notices, by the revision the reader holds.
    notices: Mapping[int, Payload] | None = None

    def payloads_for(
        self, target: str, variant: Variant, form: str | None = None
    ) -> Sequence[Payload]:
        """The parts `target` gets in `variant`, or in the smaller `form` it was stepped
        down to (`delivery.stepdown`)."""
        chosen = self.payloads
        if self.chat_payloads is not None and audience_of(self.channel, target) is Audience.CHAT:
            chosen = self.chat_payloads
        return form_payloads(chosen, variant, form)


@dataclass
class ChannelRun:
    """What one run did on one channel (the ledger's summary covers other workers too)."""

    channel: Channel
    delivered: Counter[Status] = field(default_factory=Counter)  # deliveries finished, by status
    parts_sent: int = 0
    rate_limited: int = 0  # 429s the provider answered despite our pacing
    # Deliveries this run sent one step smaller after a refusal of their form, by that form.
    stepped_down: Counter[str] = field(default_factory=Counter)
    # Parts done by what they did (a correction: edited, sent, deleted, notice).
    actions: Counter[PartAction] = field(default_factory=Counter)
    resent: int = 0  # edits refused for good, sent anew with a 更正 line
    seconds: float = 0.0
    # Why the channel could not be used at all (login failed, token revoked mid-run, server
    # down): its deliveries stay pending.
    error: str | None = None


# Tells the admins that a channel stopped and why (once per fan-out of a channel).
ChannelDownAlert = Callable[[Channel, str], Awaitable[object]]


class Progress(Protocol):
    def channel_started(self, channel: Channel, pending: int) -> None: ...

    def delivery_done(self, channel: Channel, status: Status) -> None: ...


class Fanout:
    def __init__(
        self,
        ledger: WorkQueue,
        settings: DeliverySettings,
        *,
        owner: str,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        alert: ChannelDownAlert | None = None,
    ) -> None:
        self.ledger = ledger
        self.alert = alert
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
        return await until_open(job.sender.open, self._retry, rng=self._rng, sleep=self._sleep)

    async def run(self, issue_date: dt.date, job: ChannelJob) -> ChannelRun:
        """Open the channel, deliver everything claimable, close it. A channel that cannot be
        opened leaves its deliveries pending for the next run and says why in `error`."""
        started = self._monotonic()
        result = ChannelRun(job.channel)
        result.error = await self.open(job)
        if result.error is None:
            try:
                await self._deliver_all(issue_date, job, result)
            finally:
                await job.sender.close()
            result.seconds = self._monotonic() - started
        if result.error is not None:
            log.error("%s unavailable, its deliveries stay pending: %s", job.channel, result.error)
            if self.alert is not None:
                await self.alert(job.channel, result.error)
        return result

    async def _deliver_all(self, issue_date: dt.date, job: ChannelJob, result: ChannelRun) -> None:
        queue = ClaimQueue(
            self.ledger,
            issue_date,
            job.channel,
            owner=self.owner,
            batch=2 * self.settings.concurrency,
            lease_seconds=self.settings.lease_seconds,
            revision=job.revision,
        )
        await queue.others_hold_work()  # a dead predecessor's rows are claimable at once
        await self._replay_recent_sends(job)
        active: dict[int, asyncio.Task[Status]] = {}
        # Deliveries whose task ended, in the order they did: waiting on this instead of
        # asyncio.wait(active) spares adding and removing a callback on every active task
        # each time one of them ends (50 of each per message at a broadcast's pace).
        ended: list[int] = []
        woken = asyncio.Event()

        def on_end(delivery_id: int) -> Callable[[asyncio.Task[Status]], None]:
            def ended_now(_: asyncio.Task[Status]) -> None:
                ended.append(delivery_id)
                woken.set()

            return ended_now

        halt = ChannelHalt()
        async with queue.working(active):
            while True:
                while (
                    len(active) < self.settings.concurrency
                    and not self.stop.is_set()
                    and not halt.tripped
                ):
                    claimed = await queue.next()
                    if claimed is None:
                        break
                    task = asyncio.create_task(self._deliver(job, claimed, result, halt))
                    task.add_done_callback(on_end(claimed.id))
                    active[claimed.id] = task
                if not active and halt.tripped:
                    # Every request out has come back: wait for the channel, or give up on it
                    # for this run.
                    if self.stop.is_set():
                        break
                    await queue.close()  # hands back what it held, still pending
                    queue.rescan()
                    result.error = await halt.wait_out(
                        job.channel,
                        job.sender.channel.open,
                        self._retry,
                        rng=self._rng,
                        sleep=self._sleep,
                    )
                    if result.error is not None:
                        break
                    continue
                if not active:
                    # Nothing left to claim: done, unless other workers still hold rows (wait
                    # for them; a dead one's rows come back to the queue).
                    takeovers = queue.takeovers
                    if self.stop.is_set() or not await queue.others_hold_work():
                        break
                    if queue.takeovers > takeovers:
                        await self._count_their_sends(job)
                    await self._sleep(self.settings.others_poll_seconds)
                    continue
                if not ended:
                    await woken.wait()
                woken.clear()
                done, ended[:] = list(ended), []
                for delivery_id in done:
                    status = active.pop(delivery_id).result()
                    if status is not Status.PENDING:
                        queue.finished(delivery_id)
                    result.delivered[status] += 1
                    if self.progress is not None:
                        self.progress.delivery_done(job.channel, status)

    async def _replay_recent_sends(self, job: ChannelJob) -> None:
        """Count what the ledger says was sent in the last minute (maybe by a run that crashed),
        so a resumed run does not burst into limits that run already used up. Once per sender:
        a sender that has been sending since counts its own sends."""
        job.sender.count_earlier_sends(await self._recent_sends(job))

    async def _count_their_sends(self, job: ChannelJob) -> None:
        """Rows of a dead worker come back: its last sends to those targets count against
        their per-target limits here too (the next part of a message it began must not
        follow its predecessor too soon)."""
        job.sender.count_target_sends(await self._recent_sends(job))

    async def _recent_sends(self, job: ChannelJob) -> list[tuple[str, float]]:
        """(target, when on the sender's clock) of the channel's sends in the last minute."""
        wall_now = self.ledger.now()
        mono_now = job.sender.clock()
        recent = await self.ledger.sent_since(job.channel, wall_now - dt.timedelta(seconds=60))
        return [
            (target, mono_now - (wall_now - sent_at).total_seconds()) for target, sent_at in recent
        ]

    async def _deliver(
        self, job: ChannelJob, claimed: ClaimedDelivery, run: ChannelRun, halt: ChannelHalt
    ) -> Status:
        """Send the delivery's unsent parts in order. PENDING when it stopped before the end
        (shutting down, taken over, the channel halted): the queue hands such rows back."""
        async with job.sender.line(claimed.target) as line:  # its parts stay together
            return await self._send_parts(job, line, claimed, run, halt)

    async def _send_parts(
        self,
        job: ChannelJob,
        line: TargetLine,
        claimed: ClaimedDelivery,
        run: ChannelRun,
        halt: ChannelHalt,
        *,
        stepped_here: bool = False,  # `claimed.form` is a step this run took
    ) -> Status:
        payloads = job.payloads_for(claimed.target, claimed.variant, claimed.form)
        messages = [p for p in claimed.parts if p.action in (PartAction.SEND, PartAction.EDIT)]
        if messages and len(payloads) != len(messages):
            # The templates changed since the intent was recorded: sending a different split
            # would garble the parts already delivered.
            first_unsent = claimed.unsent_parts[0].index if claimed.unsent_parts else 0
            await self.ledger.record(
                self.owner,
                PartStep.failed(
                    claimed.id,
                    first_unsent,
                    f"the digest now renders as {len(payloads)} parts but the ledger "
                    f"recorded {len(messages)}; re-render with the original templates",
                    permanent=True,
                ),
            )
            return Status.FAILED
        target = claimed.target
        reply_to: str | None = None
        for part in claimed.parts:
            if part.status in (Status.SENT, Status.SKIPPED):
                if part.index == 0:
                    reply_to = part.provider_message_id
                continue
            result = await self._do_part(
                job, line, claimed, part, target, payloads, reply_to, run, halt
            )
            run.rate_limited += result.rate_limited
            if is_channel_wide(result.error) and result.status is Status.PENDING:
                assert result.error is not None
                halt.trip(result.error)
            if isinstance(result.error, PayloadRejected) and result.status is Status.FAILED:
                smaller = await step_down(
                    self.ledger,
                    claimed,
                    result.error,
                    lambda form: len(job.payloads_for(claimed.target, claimed.variant, form)),
                )
                if smaller is not None:
                    if stepped_here and claimed.form:  # counted by the form it ends in
                        run.stepped_down[claimed.form] -= 1
                    run.stepped_down[smaller.form or ""] += 1
                    return await self._send_parts(
                        job, line, smaller, run, halt, stepped_here=True
                    )
            if result.status is not Status.SENT:
                return result.status  # later parts wait: order within a target is kept
            run.parts_sent += 1
            run.actions[part.action] += 1
            target = result.target
            if part.index == 0:
                reply_to = result.message_id
        return Status.SENT

    async def _do_part(
        self,
        job: ChannelJob,
        line: TargetLine,
        claimed: ClaimedDelivery,
        part: PartState,
        target: str,
        payloads: Sequence[Payload],
        reply_to: str | None,
        run: ChannelRun,
        halt: ChannelHalt,
    ) -> PartResult:
        """One planned part: send it, edit or delete the message the target has, or send an
        email reader the correction notice."""
        hooks = PartInLedger(
            self.ledger, self.owner, self.stop, job.channel, claimed.id, part.index, halt
        )
        reply = reply_to if part.index > 0 else None
        if part.action is PartAction.DELETE and part.provider_message_id is not None:
            delete = deleting(part.provider_message_id)
            return await self._try(job, line, target, delete, hooks, part.attempts, part.action)
        if part.action is PartAction.NOTICE:
            notice = (job.notices or {}).get(claimed.held_revision or 0)
            if notice is None:
                return await self._give_up(hooks, target, "no correction notice for this reader")
            return await self._try(job, line, target, sending(notice), hooks, part.attempts)
        payload = payloads[part.index]
        if part.action is PartAction.EDIT and part.provider_message_id is not None:
            edit = editing(part.provider_message_id, payload)
            result = await self._try(
                job, line, target, edit, EditInLedger(hooks), part.attempts, part.action
            )
            if not cannot_edit(result):
                return result
            run.resent += 1
            run.rate_limited += result.rate_limited
            anew = sending(marked_as_correction(payload), reply)
            return await self._try(job, line, result.target, anew, hooks, result.attempts)
        return await self._try(job, line, target, sending(payload, reply), hooks, part.attempts)

    async def _try(
        self,
        job: ChannelJob,
        line: TargetLine,
        target: str,
        action: Action,
        hooks: PartInLedger | EditInLedger,
        attempts: int,
        kind: PartAction = PartAction.SEND,
    ) -> PartResult:
        """Edits and deletes wait for their method's own budget too (`method_of`)."""
        return await attempt(
            job.sender,
            line,
            target,
            action,
            policy=self._retry,
            hooks=hooks,
            attempts=attempts,
            rng=self._rng,
            method=method_of(job.channel, kind),
        )

    async def _give_up(self, hooks: PartInLedger, target: str, why: str) -> PartResult:
        result = PartResult(Status.FAILED, target, 0, error=PermanentError(why))
        committed = await hooks.finished(result)
        if committed is not None:
            await committed
        return result


__all__ = [
    "ChannelDownAlert",
    "ChannelJob",
    "ChannelRun",
    "DeliverySettings",
    "Fanout",
    "Progress",
]
