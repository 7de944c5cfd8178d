"""Oversized issues are parsed and shown, with LIMIT warnings saying why they may not go out;
items past 999 stay items of their own."""

from __future__ import annotations

from digestbot.parsing import InputLimits, WarningKind, read_issue
from tests.parsing._support import SAMPLE


def oversized(events: int, heading: str = "今日 Top 5 大事件") -> str:
    """The sample issue with `events` events, each numbered in order (fictional text)."""
    head, rest = SAMPLE.read_text(encoding="utf-8").split("今日 Top 5 大事件", 1)
    tail = rest.split("商业与应用解读", 1)[1]
    blocks = [
        f"{n}. 第 {n} 条事件\n\n发生了什么：第 {n} 件事。\n\n关键信息：有。\n\n"
        f"为什么重要：重要。\n\n对产业 / 企业的启发：有。\n\n可信来源：来源 {n} (<https://e.example/{n}>)"
        for n in range(1, events + 1)
    ]
    return f"{head}{heading}\n\n" + "\n\n".join(blocks) + f"\n\n商业与应用解读{tail}"


def _limits(parsed_warnings: tuple[object, ...]) -> list[str]:
    return [w.message for w in parsed_warnings if getattr(w, "kind", None) is WarningKind.LIMIT]


def test_items_past_999_are_items_of_their_own() -> None:
    parsed = read_issue(oversized(1_200), filename="big.txt")
    events = parsed.issue.events
    assert len(events) == 1_200
    assert [e.rank for e in events] == list(range(1, 1_201))
    assert events[999].title == "第 1000 条事件"
    assert events[-1].sources[0].url == "https://e.example/1200"
    assert events[998].what_happened == "第 999 件事。"  # nothing of 1000+ folded into it


def test_more_items_than_the_cap_is_a_limit_warning() -> None:
    parsed = read_issue(oversized(21, heading="今日大事件"), filename="x.txt")
    assert _limits(parsed.warnings) == ["今日大事件 has 21 items, over the cap of 20 per section"]
    assert len(parsed.issue.events) == 21  # parse still shows it all
    assert _limits(read_issue(oversized(21), limits=InputLimits(max_items=30)).warnings) == [
        "今日 Top 5 大事件 promises 5 items but has 21, more than 2 times as many"
    ]


def test_a_count_far_beyond_the_heading_is_a_limit_warning_a_slip_is_not() -> None:
    assert _limits(read_issue(oversized(11)).warnings) == [
        "今日 Top 5 大事件 promises 5 items but has 11, more than 2 times as many"
    ]
    six = read_issue(oversized(6))
    assert _limits(six.warnings) == []
    assert any(w.kind is WarningKind.COUNT for w in six.warnings)


def test_a_file_over_the_size_cap_is_a_limit_warning_on_line_1() -> None:
    data = oversized(5).encode()
    parsed = read_issue(data, limits=InputLimits(max_bytes=len(data) - 1))
    (warning,) = [w for w in parsed.warnings if w.kind is WarningKind.LIMIT]
    assert warning.line == 1 and "over the 0.0 MB cap" in warning.message
    assert len(parsed.issue.events) == 5
    assert _limits(read_issue(data).warnings) == []
