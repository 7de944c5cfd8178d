"""What changed between two revisions of an issue, item by item: which conclusion, which field
of which event, which source. Pure values, no I/O: the email correction notice, the admins'
report and `digestbot log` all describe a correction from the same list.

Items are matched by title (difflib), so an event inserted in the middle is one addition, not
five changes; a retitled item in the same place is matched by position."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from digestbot.model import Event, Issue, Paper, Source, XPost

Item = Event | XPost | Paper
Section = Literal[
    "title", "coverage", "overview", "conclusions", "events", "analysis", "x_posts", "research"
]


class ChangeKind(enum.StrEnum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


# How the report names what it holds (its own headings), for readers of the notice.
SECTION_NAMES: dict[str, str] = {
    "title": "标题",
    "coverage": "覆盖窗口",
    "overview": "今日总览",
    "conclusions": "今日结论",
    "events": "大事件",
    "analysis": "商业与应用解读",
    "x_posts": "X 平台观点",
    "research": "前沿研究",
}
ITEM_NAMES: dict[str, str] = {
    "overview": "总览第 {n} 段",
    "conclusions": "结论 {n}",
    "analysis": "解读第 {n} 段",
    "events": "事件 {n}",
    "x_posts": "观点 {n}",
    "research": "研究 {n}",
}
FIELD_NAMES: dict[str, str] = {
    "title": "标题",
    "what_happened": "发生了什么",
    "key_facts": "关键信息",
    "why_it_matters": "为什么重要",
    "implications": "对产业 / 企业的启发",
    "kind": "类型",
    "verification": "验证状态",
    "verdict": "一句话判断",
    "what": "做了什么",
    "novelty": "新在哪里",
    "applications": "潜在应用方向",
    "sources": "来源",
}
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("title", "what_happened", "key_facts", "why_it_matters", "implications"),
    "x_posts": ("title", "kind", "verification", "verdict"),
    "research": ("title", "what", "novelty", "applications", "verdict"),
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    section: Section
    item: int | None = None  # the item's number as the issue shows it (rank or position)
    item_title: str = ""  # the item's title, for context in listings
    field: str | None = None  # an item's field ("key_facts", "sources"); None: the whole item
    source: int | None = None  # 1-based, when one source of an item changed
    before: str = ""
    after: str = ""

    @property
    def label(self) -> str:
        """Where the change is, as a reader finds it: 「事件 3 · 关键信息」, 「结论 2」…"""
        if self.item is None:
            return SECTION_NAMES[self.section]
        where = ITEM_NAMES[self.section].format(n=self.item)
        if self.field is None:
            return where
        if self.field == "sources" and self.source is not None:
            return f"{where} · 来源 {self.source}"
        return f"{where} · {FIELD_NAMES[self.field]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "label": self.label,
            "section": self.section,
            "item": self.item,
            "field": self.field,
            "source": self.source,
            "before": self.before,
            "after": self.after,
        }


def diff_issues(old: Issue, new: Issue) -> tuple[Change, ...]:
    """Every difference between `old` and `new`, in the order the issue reads."""
    changes: list[Change] = []
    for section in ("title", "coverage"):
        before, after = getattr(old, section), getattr(new, section)
        if before != after:
            changes.append(Change(ChangeKind.CHANGED, section, before=before, after=after))
    changes += _paragraphs("overview", old.overview, new.overview)
    changes += _paragraphs("conclusions", old.conclusions, new.conclusions)
    changes += _items("events", old.events, new.events)
    changes += _paragraphs("analysis", old.analysis, new.analysis)
    changes += _items("x_posts", old.x_posts, new.x_posts)
    changes += _items("research", old.research, new.research)
    return tuple(changes)


def count_text(changes: Sequence[Change]) -> str:
    """The admins' short form: 「3 处修改」."""
    return f"{len(changes)} 处修改"


def clip(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters, for listings."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(change: Change, limit: int = 80) -> str:
    """One line per change: 「事件 3 · 关键信息：旧 → 新」."""
    if change.kind is ChangeKind.ADDED:
        return f"{change.label}：新增「{clip(change.after, limit)}」"
    if change.kind is ChangeKind.REMOVED:
        return f"{change.label}：删除「{clip(change.before, limit)}」"
    return f"{change.label}：「{clip(change.before, limit)}」→「{clip(change.after, limit)}」"


# --- matching -------------------------------------------------------------------------------

Pairing = tuple[int | None, int | None]  # (index in old, index in new); None: absent there


def _pair(old: Sequence[str], new: Sequence[str]) -> list[Pairing]:
    """Match two lists by their keys: equal runs pair up, a replaced run pairs position by
    position, and what is left over was added or removed."""
    pairs: list[Pairing] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        common = min(i2 - i1, j2 - j1)
        pairs += [(i1 + k, j1 + k) for k in range(common)]
        pairs += [(i, None) for i in range(i1 + common, i2)]
        pairs += [(None, j) for j in range(j1 + common, j2)]
    return pairs


def _paragraphs(section: Section, old: Sequence[str], new: Sequence[str]) -> list[Change]:
    changes = []
    for i, j in _pair(old, new):
        if i is not None and j is not None:
            if old[i] != new[j]:
                changes.append(
                    Change(ChangeKind.CHANGED, section, j + 1, before=old[i], after=new[j])
                )
        elif j is not None:
            changes.append(Change(ChangeKind.ADDED, section, j + 1, after=new[j]))
        elif i is not None:
            changes.append(Change(ChangeKind.REMOVED, section, i + 1, before=old[i]))
    return changes


def _items(section: Section, old: Sequence[Item], new: Sequence[Item]) -> list[Change]:
    changes = []
    for i, j in _pair([x.title for x in old], [x.title for x in new]):
        if i is not None and j is not None:
            changes += _item_fields(section, old[i], new[j])
        elif j is not None:
            item = new[j]
            changes.append(
                Change(ChangeKind.ADDED, section, item.rank, item.title, after=item.title)
            )
        elif i is not None:
            item = old[i]
            changes.append(
                Change(ChangeKind.REMOVED, section, item.rank, item.title, before=item.title)
            )
    return changes


def _item_fields(section: Section, old: Item, new: Item) -> list[Change]:
    def change(kind: ChangeKind, **fields: Any) -> Change:
        return Change(kind, section, new.rank, new.title, **fields)

    changes = [
        change(ChangeKind.CHANGED, field=name, before=before, after=after)
        for name in ITEM_FIELDS[section]
        if (before := getattr(old, name)) != (after := getattr(new, name))
    ]
    changes += _sources(old.sources, new.sources, change)
    return changes


def source_text(source: Source) -> str:
    return f"{source.name} {source.url}".strip()


def _sources(
    old: Sequence[Source], new: Sequence[Source], change: Callable[..., Change]
) -> list[Change]:
    before = [source_text(s) for s in old]
    after = [source_text(s) for s in new]
    changes = []
    for i, j in _pair(before, after):
        if i is not None and j is not None:
            if old[i] != new[j]:
                changes.append(
                    change(ChangeKind.CHANGED, field="sources", source=j + 1,
                           before=before[i], after=after[j])
                )  # fmt: skip
        elif j is not None:
            changes.append(change(ChangeKind.ADDED, field="sources", source=j + 1, after=after[j]))
        elif i is not None:
            changes.append(
                change(ChangeKind.REMOVED, field="sources", source=i + 1, before=before[i])
            )
    return changes


__all__ = [
    "FIELD_NAMES",
    "SECTION_NAMES",
    "Change",
    "ChangeKind",
    "clip",
    "count_text",
    "describe",
    "diff_issues",
    "source_text",
]
