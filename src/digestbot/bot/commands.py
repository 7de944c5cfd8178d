"""What `/today` means, whichever platform it was typed on: the argument grammar and the issue
it answers with. Telegram handlers and the Slack slash command both call this.

`/today [YYYY-MM-DD] [top3|top5|full]`: without a date, today's issue (or, before it is out,
the latest one, saying so); with a date, that day's archived issue."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from digestbot.model import Issue, Variant

VARIANT_HELP = "top3 (三条结论), top5 (五大事件), full (全文)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DEFAULT_VARIANT = Variant.TOP5  # for readers who have not chosen one


@dataclass(frozen=True, slots=True)
class CurrentIssue:
    issue: Issue
    is_today: bool  # False: the latest published issue, older than today (say so)


class IssueProvider(Protocol):
    async def current(self) -> CurrentIssue | None:
        """Today's issue if it is out, else the latest one published; None before the first."""
        ...

    async def published_on(self, day: dt.date) -> Issue | None:
        """The issue published for `day`, as it was published; None when there is none."""
        ...


@dataclass(frozen=True, slots=True)
class TodayRequest:
    variant: Variant
    day: dt.date | None  # None: today's issue (or the latest)


@dataclass(frozen=True, slots=True)
class TodayAnswer:
    issue: Issue | None  # None: nothing to send
    note: str | None  # a line above the digest; with no issue, the reply itself (if any)


def parse_today(argument: str, default: Variant) -> TodayRequest | None:
    """`/today`, `/today full`, `/today 2026-04-16`, `/today 2026-04-16 top3` (either order)
    → a request; anything else → None."""
    variant: Variant | None = None
    day: dt.date | None = None
    for word in argument.lower().split():
        if _DATE.fullmatch(word) and day is None:
            try:
                day = dt.date.fromisoformat(word)
            except ValueError:
                return None
        elif variant is None and word in set(Variant):
            variant = Variant(word)
        else:
            return None
    return TodayRequest(variant or default, day)


def no_issue_on(day: dt.date, today: dt.date) -> str:
    if day > today:
        return f"{day.isoformat()} 还没到，没有这一天的日报。发送 /today 查看最新一期。"
    return f"{day.isoformat()} 没有发布日报。发送 /today 查看最新一期。"


async def resolve_today(
    issues: IssueProvider, request: TodayRequest, today: dt.date
) -> TodayAnswer:
    """The issue `/today …` answers with, and the line that goes with it."""
    if request.day is None:
        current = await issues.current()
        if current is None:
            return TodayAnswer(None, None)  # the platform says "nothing published yet"
        return TodayAnswer(current.issue, staleness_note(current, today))
    issue = await issues.published_on(request.day)
    if issue is None:
        return TodayAnswer(None, no_issue_on(request.day, today))
    return TodayAnswer(issue, None)


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
    "TodayAnswer",
    "TodayRequest",
    "no_issue_on",
    "parse_today",
    "resolve_today",
    "staleness_note",
]
