"""Whether a parsed issue may go out. Checked before the first send, so nothing is half-sent.

`Problem` is the one value for "something is wrong with this issue" across the program: a
refused publish carries a list of them, and `digestbot check` reports its findings as them
(warnings included, each with the parse warning's kind)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from digestbot.model import Issue

UNPUBLISHABLE = "unpublishable"


class Severity(enum.StrEnum):
    ERROR = "error"  # the issue is refused: nothing is sent
    WARNING = "warning"  # it may go out, but an editor should look


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an issue: what, and where when that is known (`field` names the
    issue's part or the option, `line` the line of the issue file). `kind` sorts it for
    `check` (a parse `WarningKind`, or "unpublishable", "not-an-issue", "date", "link");
    only an error refuses the issue."""

    message: str
    field: str | None = None
    line: int | None = None
    kind: str = UNPUBLISHABLE
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity.value, "kind": self.kind, "line": self.line,
                "message": self.message}


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


__all__ = [
    "UNPUBLISHABLE", "Problem", "Severity", "publication_problems", "summarize",
]
