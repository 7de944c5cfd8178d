"""Channels: one class per provider behind the `ChannelClient` protocol, each mapping its provider's
failures onto `digestbot.channels.errors`. Building them from config is delivery's job."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.channels.base import ChannelClient, Connection, Deletable, Editable
    from digestbot.channels.email import EmailChannel
    from digestbot.channels.email_build import BuiltMail, MailTemplate, Sender, build_email
    from digestbot.channels.errors import (
        ChannelError,
        ChatMigrated,
        MessageFrozen,
        MessageGone,
        PayloadRejected,
        PermanentError,
        RetryAfter,
        Scope,
        TargetGone,
        TransientError,
        UncertainDelivery,
        Unchanged,
    )
    from digestbot.channels.outbox import OutboxChannel, sanitize_target
    from digestbot.channels.redact import (
        RedactingFilter,
        install_redaction,
        redact,
        register_secret,
    )
    from digestbot.channels.slack import SlackChannel, map_slack_error
    from digestbot.channels.slots import SharedSlots
    from digestbot.channels.smtp import SmtpConnection, map_smtp_error
    from digestbot.channels.telegram import TelegramChannel, map_telegram_error
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "base": ("ChannelClient", "Connection", "Deletable", "Editable"),
            "email": ("EmailChannel",),
            "email_build": ("BuiltMail", "MailTemplate", "Sender", "build_email"),
            "errors": (
                "ChannelError",
                "ChatMigrated",
                "MessageFrozen",
                "MessageGone",
    "PayloadRejected",
                "PayloadRejected",
                "PermanentError",
                "RetryAfter",
                "Scope",
                "TargetGone",
                "TransientError",
                "UncertainDelivery",
                "Unchanged",
            ),
            "outbox": ("OutboxChannel", "sanitize_target"),
            "redact": ("RedactingFilter", "install_redaction", "redact", "register_secret"),
            "slack": ("SlackChannel", "map_slack_error"),
            "slots": ("SharedSlots",),
            "smtp": ("SmtpConnection", "map_smtp_error"),
            "telegram": ("TelegramChannel", "map_telegram_error"),
        },
    )

__all__ = [
    "BuiltMail",
    "ChannelClient",
    "ChannelError",
    "ChatMigrated",
    "Connection",
    "Deletable",
    "Editable",
    "EmailChannel",
    "MailTemplate",
    "MessageFrozen",
    "MessageGone",
    "OutboxChannel",
    "PayloadRejected",
    "PermanentError",
    "RedactingFilter",
    "RetryAfter",
    "Scope",
    "Sender",
    "SharedSlots",
    "SlackChannel",
    "SmtpConnection",
    "TargetGone",
    "TelegramChannel",
    "TransientError",
    "UncertainDelivery",
    "Unchanged",
    "build_email",
    "install_redaction",
    "map_slack_error",
    "map_smtp_error",
    "map_telegram_error",
    "redact",
    "register_secret",
    "sanitize_target",
]
