"""Readers' commands: Telegram handlers and the Slack slash command share `commands`."""

from digestbot.bot.commands import (
    VARIANT_HELP,
    CurrentIssue,
    IssueProvider,
    parse_variant,
    staleness_note,
)
from digestbot.bot.keyboards import parse_variant_callback, variant_callback, variant_keyboard
from digestbot.bot.telegram_bot import TelegramBot, file_base_url, with_note
from digestbot.bot.throttle import Decision, UserThrottle, Verdict

__all__ = [
    "VARIANT_HELP",
    "CurrentIssue",
    "Decision",
    "IssueProvider",
    "TelegramBot",
    "UserThrottle",
    "Verdict",
    "file_base_url",
    "parse_variant",
    "parse_variant_callback",
    "staleness_note",
    "variant_callback",
    "variant_keyboard",
    "with_note",
]
