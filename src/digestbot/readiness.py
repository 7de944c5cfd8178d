"""Whether a parsed issue may go out. Checked before the first send, so nothing is half-sent."""

from __future__ import annotations

import datetime as dt

from digestbot.model import Issue


def publication_problems(issue: Issue, expected_date: dt.date | None = None) -> list[str]:
    """Reasons to refuse publishing `issue` (empty when it may go out).

    Warnings about single missing fields do not block: readers still get the rest. What blocks
    is an issue with nothing to say (no conclusions or no events) or one for another day."""
    problems: list[str] = []
    if not issue.title.strip():
        problems.append("the issue has no title")
    if not issue.conclusions:
        problems.append("the issue has no conclusions (今日三条结论)")
    if not issue.events:
        problems.append("the issue has no events (今日 Top 5 大事件)")
    if issue.date is None:
        problems.append("the issue has no date (日期)")
    elif expected_date is not None and issue.date != expected_date:
        problems.append(
            f"the issue is dated {issue.date.isoformat()}, not {expected_date.isoformat()}"
        )
    return problems


__all__ = ["publication_problems"]
