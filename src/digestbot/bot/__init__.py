"""Readers' commands: Telegram handlers and the Slack slash command share `commands`."""

from digestbot.bot.commands import (
    VARIANT_HELP,
    CurrentIssue,
    IssueProvider,
    parse_variant,
    staleness_note,
)

__all__ = ["VARIANT_HELP", "CurrentIssue", "IssueProvider", "parse_variant", "staleness_note"]
