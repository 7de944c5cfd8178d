"""The section grammar of the plain-text issue → Issue. Never raises except NotAnIssueError.

Markdown and HTML inputs are first converted to this grammar (markdown.py, html.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from digestbot.model import Event, Issue, Paper, Source, XPost
from digestbot.parsing import vocabulary as vocab
from digestbot.parsing.errors import NotAnIssueError
from digestbot.parsing.normalize import Line, normalize_lines
from digestbot.parsing.sources import parse_sources
from digestbot.parsing.vocabulary import Field, Section
from digestbot.parsing.warnings import WarningLog

_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# The title's date is its last "| <date> (timezone)" segment; the other segments (a special
# issue's name, a hostile title's own "|") are title.
_TITLE_SEPARATOR = re.compile(r"(\s*[|｜]\s*)")
_TITLE_DATE = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)日?\s*(?:[(（][^)）]*[)）])?\s*"
)
_INLINE_COVERAGE = re.compile(r"\s*(?:覆盖窗口|覆盖范围)\s*[:：]\s*")

_ITEM_NOUN = {Section.EVENTS: "event", Section.X_POSTS: "X post", Section.RESEARCH: "research item"}


def parse_text(text: str) -> Issue:
    """Parse an issue written in the plain-text grammar (normalizing it first)."""
    return parse_lines(normalize_lines(text))


def parse_lines(lines: list[Line]) -> Issue:
    log = WarningLog()
    starts = _section_starts(lines, log)
    if not starts:
        raise NotAnIssueError(
            "no section of an AI 前沿发展日报 issue found (expected headings such as "
            "今日总览, 今日三条结论, 今日 Top 5 大事件)"
        )
    header = lines[: starts[0][0]]
    title, date, coverage = _header(header, log)

    bodies: dict[Section, tuple[Line, list[Line]]] = {}
    for k, (index, section) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        bodies[section] = (lines[index], lines[index + 1 : end])

    last_line = lines[-1].number if lines else 1
    for position, section in enumerate(vocab.SECTION_ORDER):
        if section not in bodies:
            later = [b[0].number for s, b in bodies.items()
                     if vocab.SECTION_ORDER.index(s) > position]
            log.add(
                min(later) if later else last_line,
                f"no {vocab.SECTION_HEADINGS[section]} section ({section} is empty)",
            )

    def paragraphs_of(section: Section) -> tuple[str, ...]:
        if section not in bodies:
            return ()
        heading, body = bodies[section]
        found = _paragraphs(body)
        if not found:
            log.add(heading.number, f"{vocab.SECTION_HEADINGS[section]} section is empty")
        return found

    conclusions: tuple[str, ...] = ()
    if Section.CONCLUSIONS in bodies:
        conclusions = _conclusions(*bodies[Section.CONCLUSIONS], log)

    items: dict[Section, list[_Item]] = {}
    for section in (Section.EVENTS, Section.X_POSTS, Section.RESEARCH):
        if section in bodies:
            items[section] = _items(section, *bodies[section], log)

    return Issue(
        date=date,
        title=title,
        coverage=coverage,
        overview=paragraphs_of(Section.OVERVIEW),
        conclusions=conclusions,
        events=tuple(_event(i) for i in items.get(Section.EVENTS, [])),
        analysis=paragraphs_of(Section.ANALYSIS),
        x_posts=tuple(_x_post(i) for i in items.get(Section.X_POSTS, [])),
        research=tuple(_paper(i) for i in items.get(Section.RESEARCH, [])),
        warnings=log.as_tuple(),
    )


def _section_starts(lines: list[Line], log: WarningLog) -> list[tuple[int, Section]]:
    starts: list[tuple[int, Section]] = []
    seen: set[Section] = set()
    for index, line in enumerate(lines):
        section = vocab.match_section(line.text)
        if section is None:
            continue
        if section in seen:
            log.add(line.number, f"second {vocab.SECTION_HEADINGS[section]} heading kept as text")
            continue
        seen.add(section)
        starts.append((index, section))
    return starts


# --- header -------------------------------------------------------------------------------


def _header(lines: list[Line], log: WarningLog) -> tuple[str, dt.date | None, str]:
    title_line: Line | None = None
    date_text = ""
    date_line = 0
    coverage = ""
    ignored: list[Line] = []
    candidates: list[Line] = []
    for line in lines:
        if not line.text:
            continue
        label = vocab.header_label(line.text)
        if label is None:
            candidates.append(line)
            continue
        name, value = label
        if name == vocab.HEADER_DATE:
            date_line = line.number
            # "日期：… 覆盖窗口：…" on one line (seed 002).
            parts = _INLINE_COVERAGE.split(value, maxsplit=1)
            date_text = parts[0].strip()
            if len(parts) == 2 and not coverage:
                coverage = parts[1].strip()
        elif not coverage:
            coverage = value
    # The title is the line naming the report, else the first line of the header.
    for line in candidates:
        if "日报" in line.text:
            title_line = line
            break
    if title_line is None and candidates:
        title_line = candidates[0]
    ignored = [c for c in candidates if c is not title_line]
    for line in ignored:
        log.add(line.number, "text before the first section ignored")

    title, title_date_text = _split_title(title_line.text) if title_line else ("", "")
    first = lines[0].number if lines else 1
    if not title:
        log.add(title_line.number if title_line else first, "no title line")

    date = _parse_date(date_text)
    title_date = _parse_date(title_date_text)
    if date is None and date_text:
        log.add(date_line, f"日期 is not a date: {date_text}")
    if date is None:
        date = title_date
    elif title_date is not None and title_date != date:
        log.add(date_line, f"日期 {date} differs from the title's date {title_date}")
    if date is None:
        log.add(date_line or first, "no date (neither a 日期 line nor a date in the title)")
    if not coverage:
        log.add(date_line or first, "no 覆盖窗口")
    return title, date, coverage


def _split_title(text: str) -> tuple[str, str]:
    """(title, date text): the title line without its date segment."""
    parts = _TITLE_SEPARATOR.split(text.strip())  # segment, separator, segment, …
    dated = [i for i in range(0, len(parts), 2) if _TITLE_DATE.match(parts[i])]
    if len(parts) == 1 or not dated:
        return text.strip(), ""
    i = dated[-1]
    match = _TITLE_DATE.match(parts[i])
    assert match is not None
    rest = parts[i][match.end() :].strip()
    if rest:  # "2026-05-01 劳动节特刊": the name stays a segment of its own
        parts[i] = rest
    else:  # the segment goes, with the separator before it (after it when it comes first)
        start = i - 1 if i else 0
        del parts[start : start + 2]
    return "".join(parts).strip(), match.group(0)


def _parse_date(text: str) -> dt.date | None:
    match = _DATE.search(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# --- prose sections -----------------------------------------------------------------------


def _paragraphs(lines: list[Line]) -> tuple[str, ...]:
    out: list[str] = []
    current: list[str] = []
    for line in [*lines, Line(0, "")]:
        if line.text:
            current.append(line.text)
        elif current:
            out.append("\n".join(current))
            current = []
    return tuple(out)


def _conclusions(heading: Line, lines: list[Line], log: WarningLog) -> tuple[str, ...]:
    numbered: list[list[str]] = []
    stray: list[Line] = []
    for line in lines:
        if not line.text:
            continue
        item = vocab.numbered_item(line.text)
        if item is not None:
            numbered.append([item[1]] if item[1] else [])
        elif numbered:
            numbered[-1].append(line.text)
        else:
            stray.append(line)
    if numbered:
        for line in stray:
            log.add(line.number, "text before the first numbered conclusion ignored")
        found = tuple("\n".join(parts) for parts in numbered if parts)
    else:
        # No numbers: a bulleted list, else one conclusion per paragraph.
        bullets = [b for b in (vocab.bullet_item(line.text) for line in lines if line.text) if b]
        found = tuple(bullets) if bullets else _paragraphs(lines)
    _check_count(heading, len(found), log)
    return found


def _check_count(heading: Line, count: int, log: WarningLog) -> None:
    if count == 0:
        log.add(heading.number, f"{heading.text} has no items")
        return
    promised = vocab.promised_count(heading.text)
    if promised is not None and promised != count:
        log.add(heading.number, f"{heading.text} promises {promised} items but has {count}")


# --- item sections ------------------------------------------------------------------------


@dataclass
class _Item:
    rank: int
    line: int
    title: str
    section: Section
    noun: str
    fields: dict[Field, list[str]] = field(default_factory=dict)
    field_lines: dict[Field, int] = field(default_factory=dict)
    current: Field | None = None
    preamble: list[str] = field(default_factory=list)
    preamble_line: int = 0
    sources: tuple[Source, ...] = ()

    def text(self, name: Field) -> str:
        """A field's paragraphs ("" marks a paragraph break), joined by blank lines."""
        paragraphs: list[list[str]] = [[]]
        for piece in self.fields.get(name, []):
            if piece:
                paragraphs[-1].append(piece)
            elif paragraphs[-1]:
                paragraphs.append([])
        return "\n\n".join("\n".join(p) for p in paragraphs if p)


def _items(section: Section, heading: Line, lines: list[Line], log: WarningLog) -> list[_Item]:
    noun = _ITEM_NOUN[section]
    items: list[_Item] = []
    for index, line in enumerate(lines):
        current = items[-1] if items else None
        if not line.text:
            if current is not None and current.current is not None:
                current.fields[current.current].append("")
            continue
        numbered = vocab.numbered_item(line.text)
        if numbered is not None and _starts_item(section, items, numbered[0], lines, index):
            items.append(_Item(len(items) + 1, line.number, numbered[1], section, noun))
            continue
        label = vocab.item_label(section, line.text)
        if current is None:
            log.add(line.number, f"text before the first {noun} ignored")
        elif label is not None:
            name, value = label
            if current.fields.get(name):
                current.fields[name].append("")
            current.fields.setdefault(name, [])
            current.field_lines.setdefault(name, line.number)
            current.current = name
            if value:
                current.fields[name].append(value)
        elif current.current is None:
            current.preamble.append(line.text)
            current.preamble_line = current.preamble_line or line.number
        else:
            current.fields[current.current].append(line.text)
    for item in items:
        _finish(item, log)
    _check_count(heading, len(items), log)
    return items


def _starts_item(
    section: Section, items: list[_Item], number: int, lines: list[Line], index: int
) -> bool:
    """Whether a numbered line opens the next item rather than a list inside a field."""
    if not items or lines[index].text.startswith("#"):
        return True  # the first number, or a heading: markdown.py marks item headings "### N."
    if number != len(items) + 1:
        return False
    current = items[-1]
    if Field.SOURCES in current.fields or current.current is None:
        return True
    following = next((line.text for line in lines[index + 1 :] if line.text), None)
    if following is None:
        return True
    label = vocab.item_label(section, following)
    if label is not None:
        # The next item's fields start over: a first field, or one this item already has.
        return label[0] == vocab.REQUIRED_FIELDS[section][0][0] or label[0] in current.fields
    nxt = vocab.numbered_item(following)
    return nxt is not None and nxt[0] == number + 1


def _finish(item: _Item, log: WarningLog) -> None:
    who = f"{item.noun} {item.rank}"
    if not item.title:
        log.add(item.line, f"{who} has no title")
    required = vocab.REQUIRED_FIELDS[item.section]
    if item.preamble:
        first_field, first_label = required[0]
        if not item.text(first_field):
            item.fields[first_field] = ["\n".join(item.preamble)]
            log.add(item.preamble_line, f"{who}: unlabelled text taken as {first_label}")
        else:
            log.add(item.preamble_line, f"{who}: unlabelled text before its fields ignored")
    for name, label in required:
        if name is Field.SOURCES:
            continue
        if not item.text(name):
            log.add(item.line, f"{who} has no {label}")
    sources_label = required[-1][1]
    raw = "\n".join(p for p in item.fields.get(Field.SOURCES, []) if p)
    if not raw:
        log.add(item.line, f"{who} has no {sources_label}")
        return
    sources, problems = parse_sources(raw)
    line = item.field_lines.get(Field.SOURCES, item.line)
    for problem in problems:
        log.add(line, f"{who}: {problem}")
    if not sources:
        log.add(line, f"{who} {sources_label} has no URL")
    item.sources = sources


def _event(item: _Item) -> Event:
    return Event(
        rank=item.rank,
        title=item.title,
        what_happened=item.text(Field.WHAT_HAPPENED),
        key_facts=item.text(Field.KEY_FACTS),
        why_it_matters=item.text(Field.WHY_IT_MATTERS),
        implications=item.text(Field.IMPLICATIONS),
        sources=item.sources,
    )


def _x_post(item: _Item) -> XPost:
    return XPost(
        rank=item.rank,
        title=item.title,
        kind=item.text(Field.KIND),
        verification=item.text(Field.VERIFICATION),
        verdict=item.text(Field.VERDICT),
        sources=item.sources,
    )


def _paper(item: _Item) -> Paper:
    return Paper(
        rank=item.rank,
        title=item.title,
        what=item.text(Field.WHAT),
        novelty=item.text(Field.NOVELTY),
        applications=item.text(Field.APPLICATIONS),
        verdict=item.text(Field.VERDICT),
        sources=item.sources,
    )


__all__ = ["parse_lines", "parse_text"]
