"""Oversized issues are parsed and shown, with LIMIT warnings saying why they may not go out;
items past 999 stay items of their own."""

from __future__ import annotations

from digestbot.input_limits import InputLimits
from digestbot.parsing import WarningKind, read_issue
from tests.sample import sample_with_events


def _limits(parsed_warnings: tuple[object, ...]) -> list[str]:
    return [w.message for w in parsed_warnings if getattr(w, "kind", None) is WarningKind.LIMIT]


def test_items_past_999_are_items_of_their_own() -> None:
    parsed = read_issue(sample_with_events(1_200), filename="big.txt")
    events = parsed.issue.events
    assert len(events) == 1_200
    assert [e.rank for e in events] == list(range(1, 1_201))
    assert events[999].title == "第 1000 条事件"
    assert events[-1].sources[-1].url == "https://e.example/1200"
    assert events[998].what_happened == events[0].what_happened  # nothing folded into 999


def test_more_items_than_the_cap_is_a_limit_warning() -> None:
    parsed = read_issue(sample_with_events(21, heading="今日大事件"), filename="x.txt")
    assert _limits(parsed.warnings) == ["今日大事件 has 21 items, over the cap of 20 per section"]
    assert len(parsed.issue.events) == 21  # parse still shows it all
    roomy = read_issue(sample_with_events(21), limits=InputLimits(max_items=30))
    assert _limits(roomy.warnings) == [
        "今日 Top 5 大事件 promises 5 items but has 21, more than 2 times as many"
    ]


def test_a_count_far_beyond_the_heading_is_a_limit_warning_a_slip_is_not() -> None:
    assert _limits(read_issue(sample_with_events(11)).warnings) == [
        "今日 Top 5 大事件 promises 5 items but has 11, more than 2 times as many"
    ]
    six = read_issue(sample_with_events(6))
    assert _limits(six.warnings) == []
    assert any(w.kind is WarningKind.COUNT for w in six.warnings)


def test_a_file_over_the_size_cap_is_a_limit_warning_on_line_1() -> None:
    data = sample_with_events(5).encode()
    parsed = read_issue(data, limits=InputLimits(max_bytes=len(data) - 1))
    (warning,) = [w for w in parsed.warnings if w.kind is WarningKind.LIMIT]
    assert warning.line == 1 and "KB, over the " in warning.message
    assert len(parsed.issue.events) == 5
    assert _limits(read_issue(data).warnings) == []
