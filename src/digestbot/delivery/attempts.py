"""How one part is tried until it is sent or given up on: the one retry policy for everything
that leaves through a `PacedSender`. The fan-out writes each step to the ledger through
`AttemptHooks`; an interactive reply (a /today answer, an admin alert, a keyboard edit) uses
`send_now`/`edit_now`, which only log, with a short policy because a reader is waiting.

Per try: wait for the target's line spacing and the rate limits, leave, then by answer —
sent; 429 → honour retry_after (the whole limiter key set waits) and try again, up to
`max_rate_limited` times; group migrated → follow it; 5xx/refused → back off and retry up to
`max_attempts`; no answer after leaving → uncertain, never resent (it may have arrived);
blocked/kicked → the target is gone; anything else → failed."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from digestbot.channels.base import ChannelClient, Editable
from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TargetGone,
    UncertainDelivery,
)
from digestbot.delivery.paced import PacedSender, TargetLine
from digestbot.delivery.pacing import backoff_delay
from digestbot.payloads import Payload
from digestbot.store import Status

log = logging.getLogger(__name__)

# One request to the provider for a target; returns the provider's message id.
Action = Callable[[str], Awaitable[str]]


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
    status: Status  # SENT, or why not: PENDING (never left), FAILED, SKIPPED, UNCERTAIN
    target: str  # where it went, after following a migration
    attempts: int  # tries so far, the earlier runs' included
    message_id: str | None = None
    error: ChannelError | None = None
    rate_limited: int = 0  # 429s the provider answered despite the pacing


class AttemptHooks(Protocol):
    """What the caller records around each try (the fan-out: the ledger)."""

    def leaving(self) -> bool:
        """The request holds its rate-limit slot and is about to leave. False keeps it from
        leaving (shutting down): the part stays pending."""
        ...

    def retrying(self, error: ChannelError) -> None:
        """The try failed in a way that is tried again."""
        ...

    def migrated(self, old: str, new: str) -> None:
        """The target moved; the next try goes to `new`."""
        ...


class _LogOnly:
    def leaving(self) -> bool:
        return True

    def retrying(self, error: ChannelError) -> None:
        log.debug("retrying: %s", error)

    def migrated(self, old: str, new: str) -> None:
        log.info("%s moved to %s", old, new)


LOG_ONLY: AttemptHooks = _LogOnly()


def sending(channel: ChannelClient, payload: Payload, reply_to: str | None = None) -> Action:
    """The Action that sends `payload` on `channel` (as a thread reply to `reply_to`)."""

    async def send(target: str) -> str:
        return await channel.send(target, payload, reply_to=reply_to)

    return send
_jitter = random.Random()  # noqa: S311 -- jitter, not secrecy


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
) -> PartResult:
    """Try `action` on `target` (the caller holds `line`) until it is sent or given up on."""
    rate_limited = 0
    while True:
        keys = await sender.admit(line, target)
        if not hooks.leaving():
            return PartResult(Status.PENDING, target, attempts, rate_limited=rate_limited)
        attempts += 1
        try:
            message_id = await action(target)
        except RetryAfter as exc:
            rate_limited += 1
            sender.rate_limited(keys, exc.seconds)
            if rate_limited > policy.max_rate_limited:
                return PartResult(Status.FAILED, target, attempts, None, exc, rate_limited)
            hooks.retrying(exc)
        except ChatMigrated as exc:
            hooks.retrying(exc)
            hooks.migrated(target, exc.new_chat_id)
            target = exc.new_chat_id
        except UncertainDelivery as exc:
            return PartResult(Status.UNCERTAIN, target, attempts, None, exc, rate_limited)
        except TargetGone as exc:
            return PartResult(Status.SKIPPED, target, attempts, None, exc, rate_limited)
        except PermanentError as exc:
            return PartResult(Status.FAILED, target, attempts, None, exc, rate_limited)
        except ChannelError as exc:  # TransientError and anything unclassified
            if attempts >= policy.max_attempts:
                return PartResult(Status.FAILED, target, attempts, None, exc, rate_limited)
            hooks.retrying(exc)
            await sender.sleep(
                backoff_delay(attempts, policy.backoff_base, policy.backoff_cap, rng)
            )
        except Exception as exc:  # a bug, not a provider answer: the request may have left
            log.exception("%s: unexpected error sending to %s", sender.name, target)
            error = UncertainDelivery(f"unexpected {type(exc).__name__} while sending")
            return PartResult(Status.UNCERTAIN, target, attempts, None, error, rate_limited)
        else:
            return PartResult(Status.SENT, target, attempts, message_id, None, rate_limited)
        finally:
            sender.answered(line)


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
            send = sending(sender.channel, payload, reply_to=sent[0] if sent else None)
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

    async def edit(to: str) -> str:
        await channel.edit(to, message_id, payload)
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
    "attempt",
    "edit_now",
    "send_now",
    "sending",
]
