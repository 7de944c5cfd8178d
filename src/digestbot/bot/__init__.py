"""Readers' commands: Telegram handlers and the Slack slash command share `commands` and
`throttle`; the Telegram bot is assembled in `telegram_bot` from one-job parts."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.bot.alerts import AdminAlerts
    from digestbot.bot.application import TelegramApp
    from digestbot.bot.commands import (
        DEFAULT_VARIANT,
        VARIANT_HELP,
        CurrentIssue,
        IssueProvider,
        TodayAnswer,
        TodayRequest,
        parse_today,
        resolve_today,
        staleness_note,
    )
    from digestbot.bot.keyboards import parse_variant_callback, variant_callback, variant_keyboard
    from digestbot.bot.reading import publish_status, with_note
    from digestbot.bot.telegram_bot import BotStore, TelegramBot
    from digestbot.bot.throttle import Decision, UserThrottle, Verdict
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "alerts": ("AdminAlerts",),
            "application": ("TelegramApp",),
            "commands": (
                "DEFAULT_VARIANT",
                "VARIANT_HELP",
                "CurrentIssue",
                "IssueProvider",
                "TodayAnswer",
                "TodayRequest",
                "parse_today",
                "resolve_today",
                "staleness_note",
            ),
            "keyboards": ("parse_variant_callback", "variant_callback", "variant_keyboard"),
            "reading": ("publish_status", "with_note"),
            "telegram_bot": ("BotStore", "TelegramBot"),
            "throttle": ("Decision", "UserThrottle", "Verdict"),
        },
    )

__all__ = [
    "DEFAULT_VARIANT",
    "VARIANT_HELP",
    "AdminAlerts",
    "BotStore",
    "CurrentIssue",
    "Decision",
    "IssueProvider",
    "TelegramApp",
    "TelegramBot",
    "TodayAnswer",
    "TodayRequest",
    "UserThrottle",
    "Verdict",
    "parse_today",
    "parse_variant_callback",
    "publish_status",
    "resolve_today",
    "staleness_note",
    "variant_callback",
    "variant_keyboard",
    "with_note",
]
