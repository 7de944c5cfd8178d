"""The few ways a provider can refuse a message. Every channel maps its errors onto these,
so delivery decides retries from the type alone and never parses provider error strings."""

from __future__ import annotations


class ChannelError(Exception):
    """Base class. `detail` is safe to log: it never contains a token or password."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RetryAfter(ChannelError):
    """The provider rate-limited us (HTTP 429): wait `seconds`, then send the same part again."""

    def __init__(self, seconds: float, detail: str = "rate limited") -> None:
        super().__init__(f"{detail} (retry after {seconds:g}s)")
        self.seconds = seconds


class TransientError(ChannelError):
    """5xx, connection refused/reset before the request was sent, SMTP 4xx: retry with backoff."""


class UncertainDelivery(ChannelError):
    """The request left but no answer came (read timeout): it may or may not have arrived.
    Never retried automatically, because retrying could deliver it twice."""


class ChatMigrated(ChannelError):
    """A Telegram group became a supergroup: send to `new_chat_id` from now on."""

    def __init__(self, new_chat_id: str, detail: str = "group migrated") -> None:
        super().__init__(f"{detail} to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TargetGone(ChannelError):
    """The reader blocked the bot / kicked it / unsubscribed at the provider: deactivate them."""


class PermanentError(ChannelError):
    """Chat not found, invalid_auth, SMTP 5xx…: retrying cannot help; record and move on."""


__all__ = [
    "ChannelError",
    "ChatMigrated",
    "PermanentError",
    "RetryAfter",
    "TargetGone",
    "TransientError",
    "UncertainDelivery",
]
