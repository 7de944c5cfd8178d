"""The words of the report's grammar: section headings, field labels and item markers.

Matching is done on a "squashed" form (no whitespace, no Markdown emphasis, lower case, no
trailing colon) so that editors' spacing variants ("今日 Top5 大事件", "**为什么重要**") match.
"""

from __future__ import annotations

import enum
import re


class Section(enum.StrEnum):
    OVERVIEW = "overview"
    CONCLUSIONS = "conclusions"
    EVENTS = "events"
    ANALYSIS = "analysis"
    X_POSTS = "x_posts"
    RESEARCH = "research"


# The order sections appear in a complete issue, and the heading quoted in warnings.
SECTION_ORDER: tuple[Section, ...] = tuple(Section)
SECTION_HEADINGS: dict[Section, str] = {
    Section.OVERVIEW: "今日总览",
    Section.CONCLUSIONS: "今日三条结论",
    Section.EVENTS: "今日 Top 5 大事件",
    Section.ANALYSIS: "商业与应用解读",
    Section.X_POSTS: "X 平台高信号观点",
    Section.RESEARCH: "前沿研究速递",
}

_NUM = r"(?:\d{1,2}|[一二三四五六七八九十两]{1,3})"
_SECTION_PATTERNS: tuple[tuple[Section, re.Pattern[str]], ...] = (
    (Section.OVERVIEW, re.compile(r"(?:今日|今天)?(?:总览|概览|概述)")),
    (Section.CONCLUSIONS, re.compile(rf"(?:今日|今天)?(?:{_NUM}条?)?(?:核心)?结论")),
    (Section.EVENTS, re.compile(rf"(?:今日|今天)?(?:(?:top{_NUM}?|{_NUM}大?)?大?事件|top{_NUM})")),
    (Section.ANALYSIS, re.compile(r"商业(?:与|和|及)?应用(?:解读|分析)")),
    (Section.X_POSTS, re.compile(r"(?:x|twitter|x/twitter)(?:平台)?高信号观点")),
    (Section.RESEARCH, re.compile(r"(?:前沿)?研究速递")),
)

# The number a heading promises ("三条", "Top 5"), to warn when the count differs.
_PROMISED = re.compile(rf"top({_NUM})|({_NUM})(?:条|大)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}

# Emphasis, heading and list decorations an export may wrap around a heading or label.
_DECORATION = re.compile(r"[*_#`>•·]+")
_LEADING_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,2}[)）])"
)
_SPACES = re.compile(r"\s+")

MAX_HEADING_LENGTH = 40


def squash(text: str) -> str:
    """The comparison form of a heading or label."""
    text = _DECORATION.sub("", text)
    text = _SPACES.sub("", text).lower()
    return text.rstrip(":：")


def match_section(line: str) -> Section | None:
    """The section a heading line opens, or None when the line is not a section heading."""
    if not line or len(line) > MAX_HEADING_LENGTH:
        return None
    key = _LEADING_ORDINAL.sub("", squash(line))
    for section, pattern in _SECTION_PATTERNS:
        if pattern.fullmatch(key):
            return section
    return None


def promised_count(line: str) -> int | None:
    """3 for "今日三条结论", 5 for "今日 Top 5 大事件", None when the heading names no number."""
    match = _PROMISED.search(squash(line))
    if match is None:
        return None
    word = match.group(1) or match.group(2)
    if word.isdigit():
        return int(word)
    if len(word) == 1:
        return _CN_DIGITS.get(word)
    return None


class Field(enum.StrEnum):
    """Every field label of an item, across the three item sections."""

    WHAT_HAPPENED = "what_happened"
    KEY_FACTS = "key_facts"
    WHY_IT_MATTERS = "why_it_matters"
    IMPLICATIONS = "implications"
    SOURCES = "sources"
    KIND = "kind"
    VERIFICATION = "verification"
    VERDICT = "verdict"
    WHAT = "what"
    NOVELTY = "novelty"
    APPLICATIONS = "applications"


_EVENT_LABELS: dict[str, Field] = {
    "发生了什么": Field.WHAT_HAPPENED,
    "关键信息": Field.KEY_FACTS,
    "为什么重要": Field.WHY_IT_MATTERS,
    "对产业/企业的启发": Field.IMPLICATIONS,
    "对产业企业的启发": Field.IMPLICATIONS,
    "对产业与企业的启发": Field.IMPLICATIONS,
    "对产业和企业的启发": Field.IMPLICATIONS,
    "对产业、企业的启发": Field.IMPLICATIONS,
    "对产业/企业的启示": Field.IMPLICATIONS,
    "可信来源": Field.SOURCES,
    "来源": Field.SOURCES,
}
_X_LABELS: dict[str, Field] = {
    "类型": Field.KIND,
    "验证状态": Field.VERIFICATION,
    "一句话判断": Field.VERDICT,
    "来源": Field.SOURCES,
    "可信来源": Field.SOURCES,
}
_RESEARCH_LABELS: dict[str, Field] = {
    "做了什么": Field.WHAT,
    "新在哪里": Field.NOVELTY,
    "潜在应用方向": Field.APPLICATIONS,
    "一句话判断": Field.VERDICT,
    "来源": Field.SOURCES,
    "可信来源": Field.SOURCES,
}
LABELS: dict[Section, dict[str, Field]] = {
    Section.EVENTS: _EVENT_LABELS,
    Section.X_POSTS: _X_LABELS,
    Section.RESEARCH: _RESEARCH_LABELS,
}
# The fields each item kind must have, in order, with the label quoted in warnings.
REQUIRED_FIELDS: dict[Section, tuple[tuple[Field, str], ...]] = {
    Section.EVENTS: (
        (Field.WHAT_HAPPENED, "发生了什么"),
        (Field.KEY_FACTS, "关键信息"),
        (Field.WHY_IT_MATTERS, "为什么重要"),
        (Field.IMPLICATIONS, "对产业 / 企业的启发"),
        (Field.SOURCES, "可信来源"),
    ),
    Section.X_POSTS: (
        (Field.KIND, "类型"),
        (Field.VERIFICATION, "验证状态"),
        (Field.VERDICT, "一句话判断"),
        (Field.SOURCES, "来源"),
    ),
    Section.RESEARCH: (
        (Field.WHAT, "做了什么"),
        (Field.NOVELTY, "新在哪里"),
        (Field.APPLICATIONS, "潜在应用方向"),
        (Field.VERDICT, "一句话判断"),
        (Field.SOURCES, "来源"),
    ),
}

HEADER_DATE = "日期"
HEADER_COVERAGE = "覆盖窗口"
_HEADER_LABELS = {HEADER_DATE: HEADER_DATE, HEADER_COVERAGE: HEADER_COVERAGE,
                  "覆盖范围": HEADER_COVERAGE, "时间窗口": HEADER_COVERAGE}

# "label：value" (full-width or ASCII colon), optionally bulleted and bold; the label is short.
_LABEL_LINE = re.compile(r"^(?:[-*+•·]\s+)?([^:：\n]{1,24}?)\s*[:：]\s*(.*)$", re.DOTALL)
# How far into a line a label's colon can be: an optional bullet, 24 label characters, spaces.
_LABEL_SPAN = 40
_ALL_LABELS: frozenset[str] = frozenset(
    {*_EVENT_LABELS, *_X_LABELS, *_RESEARCH_LABELS, *_HEADER_LABELS}
)


def split_label(line: str, labels: frozenset[str] | dict[str, Field] | dict[str, str]
                ) -> tuple[str, str] | None:
    """(squashed label, value) when the line starts with one of `labels`, else None.

    A line that is only the label (no colon) also counts, with an empty value.
    """
    if len(line) > MAX_HEADING_LENGTH and ":" not in line[:_LABEL_SPAN] and (
        "：" not in line[:_LABEL_SPAN]
    ):
        return None  # prose: most lines of an issue, and squashing them is the costly part
    whole = squash(line.lstrip("-+•· ")) if line[:1] in "-+•·" else squash(line)
    if whole in labels and len(line) <= MAX_HEADING_LENGTH:
        return whole, ""
    match = _LABEL_LINE.match(line)
    if match is None:
        return None
    label = squash(match.group(1))
    if label not in labels:
        return None
    # Bold that closes after the colon ("**为什么重要：**value") leaves its stars on the value.
    value = match.group(2)
    if value.startswith("**"):
        value = value[2:]
    return label, value.strip()


def item_label(section: Section, line: str) -> tuple[Field, str] | None:
    """The field label a line of an item section starts with, and the rest of the line."""
    labels = LABELS.get(section)
    if labels is None:
        return None
    found = split_label(line, labels)
    if found is None:
        return None
    return labels[found[0]], found[1]


def header_label(line: str) -> tuple[str, str] | None:
    """("日期" | "覆盖窗口", value) when the line is a header field."""
    found = split_label(line, _HEADER_LABELS)
    if found is None:
        return None
    return _HEADER_LABELS[found[0]], found[1]


def is_any_label(line: str) -> bool:
    return split_label(line, _ALL_LABELS) is not None


# "1. title", "2、title", "3) title", "### 4. title". Up to five digits: an oversized issue's
# item 1000 is an item too (and is refused by the input caps, not folded into item 999).
_NUMBERED = re.compile(r"^(?:#{1,6}\s*)?(?:\*\*)?(\d{1,5})\s*[.、．)）](?!\d)\s*(.*)$", re.DOTALL)
_BULLET = re.compile(r"^[-*+•·]\s+(.*)$", re.DOTALL)
# A Markdown heading marker after the number ("1. ### title": a CMS's <li><h3>) is not title.
_HEADING_MARKER = re.compile(r"^#{1,6}(?:\s+|$)")
# The ways a heading numbers its item besides "1." / "1、": "#1", "No.1", "（1）", "[1]", "一、".
_HEADING_ORDINAL = re.compile(
    r"^(?:"
    r"(?:#|No\.?|NO\.?|№)\s*\d{1,3}(?![\d.])[\s.、．:：)）]*"
    r"|[（(【\[](?:\d{1,3}|[一二三四五六七八九十]{1,3})[)）】\]]\s*"
    r"|[一二三四五六七八九十]{1,3}[、．.]\s*"
    r"|\d{1,3}\s*[.、．)）:：](?!\d)\s*"
    r")"
)


def numbered_item(line: str) -> tuple[int, str] | None:
    """(number, rest) for a numbered list line."""
    match = _NUMBERED.match(line)
    if match is None:
        return None
    rest = _HEADING_MARKER.sub("", match.group(2).strip())
    if rest.endswith("**") and rest.count("**") % 2 == 1:
        rest = rest[:-2].rstrip()
    return int(match.group(1)), rest


def strip_ordinal(heading: str) -> str:
    """A heading's text without the number it gives its item, in any numbering style."""
    return _HEADING_ORDINAL.sub("", heading.strip(), count=1).strip()


def bullet_item(line: str) -> str | None:
    match = _BULLET.match(line)
    return match.group(1).strip() if match else None


__all__ = [
    "HEADER_COVERAGE",
    "HEADER_DATE",
    "LABELS",
    "MAX_HEADING_LENGTH",
    "REQUIRED_FIELDS",
    "SECTION_HEADINGS",
    "SECTION_ORDER",
    "Field",
    "Section",
    "bullet_item",
    "header_label",
    "is_any_label",
    "item_label",
    "match_section",
    "numbered_item",
    "promised_count",
    "squash",
    "strip_ordinal",
]
