"""How one part is tried until it is sent or given up on: the one retry policy for everything
that leaves through a `PacedSender`. The fan-out writes each step to the ledger through
`AttemptHooks`; an interactive reply (a /today answer, an admin alert, a keyboard edit) uses
`send_now`/`edit_now`, which only log, with a short policy because a reader is waiting.

Per try: wait for the target's line spacing, take one of the channel's connections
(`ChannelClient.slot`), then the rate-limit token, and only then is the part in flight; it
leaves, and its outcome is written before the connection is let go. By answer — sent; 429 →
honour retry_after (the whole limiter key set waits) and try again, up to `max_rate_limited`
times; group migrated → follow it; 5xx/refused → back off (holding no connection) and retry
up to `max_attempts`; no answer after leaving → uncertain, never resent (it may have
arrived); an answer about the whole channel (bad token, server unreachable) → pending, and the
caller stops the channel; blocked/kicked → the target is gone; anything else → failed."""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

from digestbot.channels.base import Connection, Editable, Enveloped
from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    Scope,
    TargetGone,
    UncertainDelivery,
)
from digestbot.delivery.paced import Admission, PacedSender, TargetLine
from digestbot.delivery.pacing import backoff_delay
from digestbot.payloads import Payload
from digestbot.store import Status

log = logging.getLogger(__name__)

# One request to the provider for a target, on the connection it holds; returns the
# provider's message id.
Action = Callable[[Connection, str], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5  # tries of one part; transient failures are retried until then
    backoff_base: float = 1.0  # seconds; doubled per attempt, with jitter, up to the cap
    backoff_cap: float = 60.0
    # A provider that keeps answering 429 for one part this often is not being paced, it is down.
    max_rate_limited: int = 20


# A reader is waiting for the answer: a few quick tries, then give up and log it.
REPLY_POLICY = RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_cap=2.0, max_rate_limited=2)


@dataclass(frozen=True, slots=True)
class PartResult:
    # SENT, or why not: PENDING (never left, or the channel as a whole refused: `error`),
    # FAILED, SKIPPED, UNCERTAIN
    status: Status
    target: str  # where it went, after following a migration
    attempts: int  # tries so far, the earlier runs' included
    message_id: str | None = None
    error: ChannelError | None = None
    rate_limited: int = 0  # 429s the provider answered despite the pacing


class AttemptHooks(Protocol):
    """What the caller records around each try (the fan-out: the ledger). Each is awaited
    where it happens: the request waits for `leaving`, the connection is held until
    `finished` returns."""

    async def leaving(self) -> bool:
        """The request holds its connection and its rate-limit token and is about to leave.
        False keeps it from leaving (shutting down, or the work was taken over): the part
        stays pending."""
        ...

    async def retrying(self, error: ChannelError) -> None:
        """The try failed in a way that is tried again."""
        ...

    async def migrated(self, old: str, new: str) -> None:
        """The target moved; the next try goes to `new`."""
        ...

    async def finished(self, result: PartResult) -> Awaitable[object] | None:
        """The part ended (sent, failed, skipped, uncertain). Called while the connection is
        still held, so what is in flight never outnumbers the connections: it returns once
        the outcome is recorded, or queued ahead of anything sent after it - then with what
        is left to wait for (its commit), awaited after the connection is let go."""
        ...


class _LogOnly:
    async def leaving(self) -> bool:
        return True

    async def retrying(self, error: ChannelError) -> None:
        log.debug("retrying: %s", error)

    async def migrated(self, old: str, new: str) -> None:
        log.info("%s moved to %s", old, new)

    async def finished(self, result: PartResult) -> Awaitable[object] | None:
        return None


LOG_ONLY: AttemptHooks = _LogOnly()


@dataclass(frozen=True, slots=True)
class Sending:
    """The Action that sends `payload` (as a thread reply to `reply_to`)."""

    payload: Payload
    reply_to: str | None = None

    async def __call__(self, connection: Connection, target: str) -> str:
        return await connection.send(target, self.payload, reply_to=self.reply_to)


def sending(payload: Payload, reply_to: str | None = None) -> Action:
    return Sending(payload, reply_to)


_jitter = random.Random()  # noqa: S311 -- jitter, not secrecy


def _is_enveloped(connection: Connection) -> TypeGuard[Enveloped]:
    """`isinstance(connection, Enveloped)`, asked once per class: a protocol's own check
    inspects the members anew on every call (~20 µs per message)."""
    return _enveloped_class(type(connection))


@functools.cache
def _enveloped_class(kind: type) -> bool:
    return issubclass(kind, Enveloped)


@dataclass(slots=True)
class _Tries:
    """One part's tries: how each is made and judged, and the count so far."""

    sender: PacedSender[Any]
    policy: RetryPolicy
    hooks: AttemptHooks
    rng: random.Random
    target: str
    attempts: int
    method: str | None = None  # a provider method with a budget of its own (chat.delete)
    rate_limited: int = 0

    def result(
        self, status: Status, message_id: str | None = None, error: ChannelError | None = None
    ) -> PartResult:
        return PartResult(status, self.target, self.attempts, message_id, error, self.rate_limited)

    async def run(self, line: TargetLine, action: Action) -> PartResult:
        while True:
            await self.sender.wait_turn(line)
            committed: Awaitable[object] | None = None
            async with AsyncExitStack() as held:
                try:
                    connection = await held.enter_async_context(self.sender.channel.slot())
                except ChannelError as exc:  # could not connect: nothing left
                    self.attempts += 1
                    result, delay = await self.judge(exc, keys=[])
                else:
                    result, delay = await self.leave(connection, line, action)
                if result is not None:
                    committed = await self.hooks.finished(result)
            if result is not None:
                # The next send on the connection need not wait for this outcome's commit:
                # its in-flight mark is queued behind it (one transaction for both, often).
                if committed is not None:
                    await committed
                return result
            if delay > 0:
                await self.sender.sleep(delay)  # backing off holds no connection

    async def leave(
        self, connection: Connection, line: TargetLine, action: Action
    ) -> tuple[PartResult | None, float]:
        """One request on `connection`, once the rate limits let it go."""
        admission = await self.sender.admit(self.target, self.method)
        try:
            if isinstance(action, Sending) and _is_enveloped(connection):
                return await self.leave_enveloped(connection, line, action, admission)
            if not await self.hooks.leaving():
                return self.result(Status.PENDING), 0.0
            await self.sender.depart(admission)
            self.attempts += 1
            try:
                message_id = await action(connection, self.target)
            except Exception as exc:
                return await self.judge(exc, admission.keys)
            finally:
                self.sender.answered(line)
            return self.result(Status.SENT, message_id), 0.0
        finally:
            self.sender.settle(admission)  # answered, failed or never left: no longer in flight

    async def leave_enveloped(
        self, connection: Enveloped, line: TargetLine, action: Sending, admission: Admission
    ) -> tuple[PartResult | None, float]:
        """`leave`, with the in-flight mark written while the envelope is on its way
        (`channels.base.Enveloped`): it is still committed before the message leaves."""
        refused: list[BaseException] = []

        async def leaving() -> bool:
            try:
                if not await self.hooks.leaving():
                    return False
                await self.sender.depart(admission)
            except Exception as exc:  # the ledger's failure, raised as `leave` would
                refused.append(exc)
                return False
            self.attempts += 1
            return True

        try:
            message_id = await connection.send_when(
                self.target, action.payload, leaving, reply_to=action.reply_to
            )
        except Exception as exc:
            return await self.judge(exc, admission.keys)
        finally:
            self.sender.answered(line)
        if refused:
            raise refused[0]
        if message_id is None:
            return self.result(Status.PENDING), 0.0
        return self.result(Status.SENT, message_id), 0.0

    async def judge(
        self, exc: Exception, keys: list[Hashable]
    ) -> tuple[PartResult | None, float]:
        """How a failed try ends the part, or (None, seconds to back off) to try again."""
        if isinstance(exc, RetryAfter):
            self.rate_limited += 1
            await self.sender.rate_limited(keys, exc.seconds)  # the next try waits
            if self.rate_limited > self.policy.max_rate_limited:
                return self.result(Status.FAILED, error=exc), 0.0
            await self.hooks.retrying(exc)
            return None, 0.0
        if isinstance(exc, ChatMigrated):
            await self.hooks.retrying(exc)
            await self.hooks.migrated(self.target, exc.new_chat_id)
            self.target = exc.new_chat_id
            return None, 0.0
        if isinstance(exc, UncertainDelivery):
            return self.result(Status.UNCERTAIN, error=exc), 0.0
        if isinstance(exc, ChannelError) and exc.scope is Scope.CHANNEL:
            # About the channel, not this target (a revoked token, a dead mail server): the
            # part stays pending and the caller stops the channel (`delivery.halt`).
            return self.result(Status.PENDING, error=exc), 0.0
        if isinstance(exc, TargetGone):
            return self.result(Status.SKIPPED, error=exc), 0.0
        if isinstance(exc, PermanentError):
            return self.result(Status.FAILED, error=exc), 0.0
        if isinstance(exc, ChannelError):  # TransientError and anything unclassified
            if self.attempts >= self.policy.max_attempts:
                return self.result(Status.FAILED, error=exc), 0.0
            await self.hooks.retrying(exc)
            policy = self.policy
            delay = backoff_delay(self.attempts, policy.backoff_base, policy.backoff_cap, self.rng)
            return None, delay
        # A bug, not a provider answer: the request may have left.
        log.error("%s: unexpected error sending to %s", self.sender.name, self.target, exc_info=exc)
        error = UncertainDelivery(f"unexpected {type(exc).__name__} while sending")
        return self.result(Status.UNCERTAIN, error=error), 0.0


async def attempt(
    sender: PacedSender[Any],
    line: TargetLine,
    target: str,
    action: Action,
    *,
    policy: RetryPolicy,
    hooks: AttemptHooks = LOG_ONLY,
    attempts: int = 0,
    rng: random.Random = _jitter,
    method: str | None = None,
) -> PartResult:
    """Try `action` on `target` (the caller holds `line`) until it is sent or given up on.
    `method` names a provider method whose own budget the request also waits for
    (`Pacing.method_keys`: Slack's chat.update and chat.delete, Telegram's edits and deletes
    under paid broadcast)."""
    return await _Tries(sender, policy, hooks, rng, target, attempts, method).run(line, action)


async def send_now(
    sender: PacedSender[Any],
    target: str,
    payloads: Sequence[Payload],
    *,
    policy: RetryPolicy = REPLY_POLICY,
) -> list[str]:
    """Send `payloads` to `target` in order, holding its line, and return the message ids of
    the parts sent: all of them, or the ones before the first that was not (the rest would
    arrive without their beginning, so they are not tried). Failures are logged, not raised."""
    sent: list[str] = []
    async with sender.line(target) as line:
        for payload in payloads:
            send = sending(payload, reply_to=sent[0] if sent else None)
            result = await attempt(sender, line, target, send, policy=policy)
            if result.message_id is None:
                log.warning("%s: message to %s not sent: %s", sender.name, target, result.error)
                break
            sent.append(result.message_id)
            target = result.target
    return sent


async def edit_now(
    sender: PacedSender[Any],
    target: str,
    message_id: str,
    payload: Payload,
    *,
    policy: RetryPolicy = REPLY_POLICY,
) -> bool:
    """Replace a message already sent, paced and retried like a send; False (logged) when the
    provider refused or the channel cannot edit."""
    channel = sender.channel
    if not isinstance(channel, Editable):
        raise TypeError(f"{sender.name} messages cannot be edited")

    async def edit(connection: Connection, to: str) -> str:
        # The slot of an editable channel is the channel's own client.
        assert isinstance(connection, Editable)
        await connection.edit(to, message_id, payload)
        return message_id

    async with sender.line(target) as line:
        result = await attempt(sender, line, target, edit, policy=policy)
    if result.status is not Status.SENT:
        log.warning("%s: edit in %s failed: %s", sender.name, target, result.error)
    return result.status is Status.SENT


__all__ = [
    "LOG_ONLY",
    "REPLY_POLICY",
    "Action",
    "AttemptHooks",
    "PartResult",
    "RetryPolicy",
    "Sending",
    "attempt",
    "edit_now",
    "send_now",
    "sending",
]
