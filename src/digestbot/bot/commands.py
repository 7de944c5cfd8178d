"""What `/today` means, whichever platform it was typed on: the argument grammar and the issue
it answers with. Telegram handlers and the Slack slash command both call this."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from digestbot.model import Issue, Variant

VARIANT_HELP = "top3 (三条结论), top5 (五大事件), full (全文)"
DEFAULT_VARIANT = Variant.TOP5  # for readers who have not chosen one


@dataclass(frozen=True, slots=True)
class CurrentIssue:
    issue: Issue
    is_today: bool  # False: the latest published issue, older than today (say so)


class IssueProvider(Protocol):
    async def current(self) -> CurrentIssue | None:
        """Today's issue if it is out, else the latest one published; None before the first."""
        ...


def parse_variant(argument: str, default: Variant) -> Variant | None:
    """`/today`, `/today full`, `/today TOP5` → a variant; anything else → None."""
    word = argument.strip().lower()
    if not word:
        return default
    try:
        return Variant(word)
    except ValueError:
        return None


def staleness_note(current: CurrentIssue, today: dt.date) -> str | None:
    """The line that tells a reader they are getting an older issue, or None."""
    if current.is_today or current.issue.date is None:
        return None
    return (
        f"今日（{today.isoformat()}）的日报尚未发布，以下是最近一期 "
        f"{current.issue.date.isoformat()}。"
    )


__all__ = [
    "DEFAULT_VARIANT",
    "VARIANT_HELP",
    "CurrentIssue",
    "IssueProvider",
    "parse_variant",
    "staleness_note",
]
