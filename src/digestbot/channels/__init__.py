"""Channels: one class per provider behind the `Channel` protocol, chosen by name from
`REGISTRY`. The factories take plain arguments; building them from config is the caller's job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from digestbot.channels.base import Channel
from digestbot.channels.email import EmailChannel, map_smtp_error
from digestbot.channels.email_build import build_email
from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TargetGone,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.outbox import OutboxChannel, sanitize_target
from digestbot.channels.redact import RedactingFilter, install_redaction, redact, register_secret
from digestbot.channels.slack import SlackChannel, map_slack_error
from digestbot.channels.telegram import TelegramChannel, map_telegram_error

ChannelFactory = Callable[..., Channel]

# name → factory. Explicit on purpose: grep for a channel name and you find its class.
REGISTRY: dict[str, ChannelFactory] = {
    "telegram": TelegramChannel,
    "slack": SlackChannel,
    "email": EmailChannel,
    "outbox": OutboxChannel,
}


def create_channel(kind: str, /, **kwargs: Any) -> Channel:
    """Build the channel registered as `kind` from its constructor arguments."""
    try:
        factory = REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"unknown channel {kind!r} (known: {known})") from None
    return factory(**kwargs)


__all__ = [
    "REGISTRY",
    "Channel",
    "ChannelError",
    "ChannelFactory",
    "ChatMigrated",
    "EmailChannel",
    "OutboxChannel",
    "PermanentError",
    "RedactingFilter",
    "RetryAfter",
    "SlackChannel",
    "TargetGone",
    "TelegramChannel",
    "TransientError",
    "UncertainDelivery",
    "build_email",
    "create_channel",
    "install_redaction",
    "map_slack_error",
    "map_smtp_error",
    "map_telegram_error",
    "redact",
    "register_secret",
    "sanitize_target",
]
