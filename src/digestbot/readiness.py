"""Whether a parsed issue may go out. Checked before the first send, so nothing is half-sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digestbot.model import Issue


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason to refuse: what is wrong, and where when that is known (`field` names the
    issue's part or the option, `line` the line of the issue file)."""

    message: str
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


def publication_problems(issue: Issue, expected_date: dt.date | None = None) -> list[Problem]:
    """Reasons to refuse publishing `issue` (empty when it may go out).

    Warnings about single missing fields do not block: readers still get the rest. What blocks
    is an issue with nothing to say (no conclusions or no events) or one for another day."""
    problems: list[Problem] = []
    if not issue.title.strip():
        problems.append(Problem("the issue has no title", "title"))
    if not issue.conclusions:
        problems.append(Problem("the issue has no conclusions (今日三条结论)", "conclusions"))
    if not issue.events:
        problems.append(Problem("the issue has no events (今日 Top 5 大事件)", "events"))
    if issue.date is None:
        problems.append(Problem("the issue has no date (日期)", "date"))
    elif expected_date is not None and issue.date != expected_date:
        problems.append(
            Problem(
                f"the issue is dated {issue.date.isoformat()}, not {expected_date.isoformat()}",
                "date",
            )
        )
    return problems


def summarize(problems: list[Problem]) -> str:
    """The problems on one line, for an error message."""
    return "; ".join(map(str, problems))


__all__ = ["Problem", "publication_problems", "summarize"]
