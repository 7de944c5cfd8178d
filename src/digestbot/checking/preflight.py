"""The checks every issue passes before anything is sent: by `digestbot check`, by `publish`
and by `run`'s daily watcher alike, so the editor's lint and the refusal never disagree."""

from __future__ import annotations

import datetime as dt

from digestbot.checking.findings import Preflight, sort_findings
from digestbot.config import Config
from digestbot.input_limits import InputLimits
from digestbot.parsing import NotAnIssueError, WarningKind, read_issue
from digestbot.readiness import UNPUBLISHABLE, Problem, Severity, publication_problems

NOT_AN_ISSUE = "not-an-issue"
DATE = "date"


def limits_from(config: Config) -> InputLimits:
    return InputLimits(max_bytes=config.limits.max_issue_bytes, max_items=config.limits.max_items)


def preflight(
    data: bytes,
    filename: str | None,
    *,
    limits: InputLimits,
    expected_date: dt.date | None = None,
    today: dt.date | None = None,
) -> Preflight:
    """Errors: too big to read, not an issue, over a cap, nothing to publish (no date, no
    conclusions, no events), or not the `expected_date`. Warnings: every other parse warning,
    and a date other than `today` (the issue timezone's) when that is given."""
    too_big = limits.size_problem(len(data))
    if too_big is not None:  # never parsed: a 50 MB file would cost gigabytes to render
        return Preflight(None, (Problem(too_big, kind=WarningKind.LIMIT),))
    try:
        parsed = read_issue(data, filename=filename, limits=limits)
    except NotAnIssueError as exc:
        return Preflight(None, (Problem(f"not an issue: {exc}", kind=NOT_AN_ISSUE),))
    findings = [
        Problem(
            w.message,
            line=w.line,
            kind=w.kind,
            severity=Severity.ERROR if w.kind is WarningKind.LIMIT else Severity.WARNING,
        )
        for w in parsed.warnings
    ]
    issue = parsed.issue
    findings += publication_problems(issue, expected_date=expected_date)
    if today is not None and issue.date is not None and issue.date != today:
        when = "in the future" if issue.date > today else "in the past"
        findings.append(Problem(
            f"the issue is dated {issue.date.isoformat()}, {when}: today is {today.isoformat()}",
            "date",
            kind=DATE,
            severity=Severity.WARNING,
        ))
    return Preflight(issue, sort_findings(findings), parsed.sources)


__all__ = ["DATE", "NOT_AN_ISSUE", "UNPUBLISHABLE", "limits_from", "preflight"]
