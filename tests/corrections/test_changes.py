"""The structural diff between two revisions names each change where a reader would find it."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from digestbot.changes import Change, ChangeKind, count_text, describe, diff_issues
from digestbot.model import Event, Issue, Source
from tests.sample import sample_issue

ISSUE = sample_issue()


def with_event(issue: Issue, index: int, **fields: object) -> Issue:
    events = list(issue.events)
    events[index] = dataclasses.replace(events[index], **fields)  # type: ignore[arg-type]
    return dataclasses.replace(issue, events=tuple(events))


def test_the_same_issue_has_no_changes() -> None:
    assert diff_issues(ISSUE, ISSUE) == ()


def test_one_event_field_is_one_change_named_by_event_and_field() -> None:
    third = ISSUE.events[2]
    fixed = with_event(ISSUE, 2, key_facts=third.key_facts + "（已更正：数字为 12%）")

    [change] = diff_issues(ISSUE, fixed)

    assert change == Change(
        ChangeKind.CHANGED,
        "events",
        item=third.rank,
        item_title=third.title,
        field="key_facts",
        before=third.key_facts,
        after=fixed.events[2].key_facts,
    )
    assert change.label == f"事件 {third.rank} · 关键信息"
    assert describe(change).startswith(f"事件 {third.rank} · 关键信息：「")
    assert count_text([change]) == "1 处修改"


def test_a_conclusion_a_source_url_and_the_title_are_each_named() -> None:
    conclusions = (ISSUE.conclusions[0], "改写后的第二条结论。", *ISSUE.conclusions[2:])
    first = ISSUE.events[0]
    sources = (Source(first.sources[0].name, "https://fixed.example/a"), *first.sources[1:])
    fixed = with_event(
        dataclasses.replace(ISSUE, conclusions=conclusions, title=ISSUE.title + "（更正版）"),
        0,
        sources=sources,
    )

    labels = [c.label for c in diff_issues(ISSUE, fixed)]

    assert labels == ["标题", "结论 2", f"事件 {first.rank} · 来源 1"]


def test_an_event_inserted_in_the_middle_is_one_addition_not_a_cascade() -> None:
    new = Event(rank=9, title="新增的一条大事件", what_happened="发生了一件事。")
    events = (*ISSUE.events[:2], new, *ISSUE.events[2:])
    fixed = dataclasses.replace(ISSUE, events=events)

    assert diff_issues(ISSUE, fixed) == (
        Change(ChangeKind.ADDED, "events", item=9, item_title=new.title, after=new.title),
    )
    assert diff_issues(fixed, ISSUE)[0].kind is ChangeKind.REMOVED


def test_a_removed_conclusion_and_an_added_source_are_reported_as_such() -> None:
    fixed = with_event(
        dataclasses.replace(ISSUE, conclusions=ISSUE.conclusions[:-1]),
        1,
        sources=(*ISSUE.events[1].sources, Source("新华社", "https://news.example/x")),
    )

    kinds = [(c.kind, c.label) for c in diff_issues(ISSUE, fixed)]

    count = len(ISSUE.conclusions)
    extra = len(ISSUE.events[1].sources) + 1
    assert kinds == [
        (ChangeKind.REMOVED, f"结论 {count}"),
        (ChangeKind.ADDED, f"事件 {ISSUE.events[1].rank} · 来源 {extra}"),
    ]


FIELDS = ("title", "what_happened", "key_facts", "why_it_matters", "implications")


@given(
    index=st.integers(0, len(ISSUE.events) - 1),
    field=st.sampled_from(FIELDS),
    text=st.text(min_size=1, max_size=40),
)
def test_any_single_field_edit_is_exactly_that_change(index: int, field: str, text: str) -> None:
    before = getattr(ISSUE.events[index], field)
    if text == before or (field == "title" and text in {e.title for e in ISSUE.events}):
        return
    fixed = with_event(ISSUE, index, **{field: text})

    changes = diff_issues(ISSUE, fixed)

    assert [(c.kind, c.section, c.item, c.field, c.before, c.after) for c in changes] == [
        (ChangeKind.CHANGED, "events", ISSUE.events[index].rank, field, before, text)
    ]
    assert diff_issues(fixed, fixed) == ()
