"""`check` and a refused `publish` speak of an issue's problems with one value: the reasons
publish refuses are check's errors, with the field they name."""

from __future__ import annotations

import datetime as dt

from digestbot.checking import UNPUBLISHABLE, preflight
from digestbot.input_limits import InputLimits
from digestbot.readiness import Problem, Severity, publication_problems
from tests.sample import SAMPLE


def _without_conclusions() -> bytes:
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index("今日三条结论"), text.index("今日 Top 5 大事件")
    return (text[:start] + text[end:]).encode()


def test_checks_errors_are_the_reasons_publish_refuses_with_their_field() -> None:
    verdict = preflight(
        _without_conclusions(), "issue.txt", limits=InputLimits(), expected_date=dt.date(2000, 1, 1)
    )
    assert verdict.issue is not None
    refused = [p for p in verdict.errors if p.kind == UNPUBLISHABLE]

    assert refused == publication_problems(verdict.issue, expected_date=dt.date(2000, 1, 1))
    assert [p.field for p in refused] == ["conclusions", "date"]
    assert all(p.severity is Severity.ERROR for p in refused)


def test_a_warning_with_a_line_reads_and_serializes_like_an_error() -> None:
    warning = Problem("a source without a URL", line=7, kind="no-url", severity=Severity.WARNING)
    assert str(warning) == "line 7: a source without a URL"
    assert warning.to_json() == {
        "severity": "warning", "kind": "no-url", "line": 7, "message": "a source without a URL",
    }
