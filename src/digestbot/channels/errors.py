"""The few ways a provider can refuse a message. Every channel maps its errors onto these, in
one function per provider, so delivery decides retries from the type alone and never parses
provider error strings; what the provider said travels along as data."""

from __future__ import annotations

import enum

from digestbot.channels.redact import redact
from digestbot.model import Channel


class Scope(enum.StrEnum):
    """Who the failure is about: the one target, or the whole channel (a revoked token, a
    failed SMTP login: no target on that channel can be reached until an operator acts)."""

    TARGET = "target"
    CHANNEL = "channel"


class ChannelError(Exception):
    """Base class. `detail` and `code` are safe to print and store: provider texts can quote
    a secret (python-telegram-bot's InvalidToken names the rejected token; an API or a proxy
    may echo credentials), so they are redacted here, once, before anything can print or
    record them.

    `provider` is the channel that answered (None when no provider was involved), `code` the
    provider's own name for the error (Slack's `error`, the SMTP reply code, Telegram's
    description, which is all Telegram has), `status` the HTTP status when there was one."""

    def __init__(
        self,
        detail: str,
        *,
        provider: Channel | None = None,
        code: str | None = None,
        status: int | None = None,
        scope: Scope = Scope.TARGET,
    ) -> None:
        detail = redact(detail)
        super().__init__(detail)
        self.detail = detail
        self.provider = provider
        self.code = redact(code) if code is not None else None
        self.status = status
        self.scope = scope


class RetryAfter(ChannelError):
    """The provider rate-limited us (HTTP 429): wait `seconds`, then send the same part again."""

    def __init__(
        self,
        seconds: float,
        detail: str = "rate limited",
        *,
        provider: Channel | None = None,
        code: str | None = None,
        status: int | None = 429,
        scope: Scope = Scope.TARGET,
    ) -> None:
        super().__init__(
            f"{detail} (retry after {seconds:g}s)",
            provider=provider,
            code=code,
            status=status,
            scope=scope,
        )
        self.seconds = seconds


class TransientError(ChannelError):
    """5xx, connection refused/reset before the request was sent, SMTP 4xx: retry with backoff."""


class UncertainDelivery(ChannelError):
    """The request left but no answer came (read timeout): it may or may not have arrived.
    Never retried automatically, because retrying could deliver it twice."""


class ChatMigrated(ChannelError):
    """A Telegram group became a supergroup: send to `new_chat_id` from now on."""

    def __init__(
        self,
        new_chat_id: str,
        detail: str = "group migrated",
        *,
        provider: Channel | None = Channel.TELEGRAM,
        code: str | None = None,
        status: int | None = 400,
    ) -> None:
        super().__init__(
            f"{detail} to {new_chat_id}", provider=provider, code=code, status=status
        )
        self.new_chat_id = new_chat_id


class TargetGone(ChannelError):
    """The reader blocked the bot / kicked it / unsubscribed at the provider: deactivate them."""


class PermanentError(ChannelError):
    """Chat not found, invalid_auth, SMTP 5xx…: retrying cannot help; record and move on.
    With `scope` CHANNEL, no other target on the channel can succeed either."""


class PayloadRejected(PermanentError):
    """The provider refused this payload's form - Telegram "can't parse entities" or "message
    is too long", Slack invalid_blocks or msg_too_long, an SMTP 552 for the size - not the
    target: a smaller form of the same digest may pass (delivery's step-down ladder)."""


class MessageGone(PermanentError):
    """The message to edit or delete no longer exists (the reader or an admin deleted it).
    A delete counts it as done; an edit sends the corrected part anew."""


class MessageFrozen(PermanentError):
    """The provider will not change this message any more (too old to delete, not editable
    in this chat): a correction sends it anew, a retraction records that it stays."""


class Unchanged(ChannelError):
    """An edit asked for exactly what the message already shows (Telegram's "message is not
    modified"): nothing to do, the message is already right."""


__all__ = [
    "ChannelError",
    "ChatMigrated",
    "MessageFrozen",
    "MessageGone",
    "PayloadRejected",
    "PermanentError",
    "RetryAfter",
    "Scope",
    "TargetGone",
    "TransientError",
    "UncertainDelivery",
    "Unchanged",
]
