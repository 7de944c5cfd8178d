"""The section grammar of the plain-text issue → Issue. Never raises except NotAnIssueError.

Markdown and HTML inputs are first converted to this grammar (markdown.py, html.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from digestbot.input_limits import DEFAULT_LIMITS, InputLimits
from digestbot.model import Issue
from digestbot.parsing import vocabulary as vocab
from digestbot.parsing.errors import NotAnIssueError
from digestbot.parsing.items import CitedSource, Item, check_count, parse_items
from digestbot.parsing.normalize import Line, normalize_lines
from digestbot.parsing.suspicious import check_sources
from digestbot.parsing.vocabulary import Section
from digestbot.parsing.warnings import ParseWarning, WarningKind, WarningLog

_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
# The title's date is its last "| <date> (timezone)" segment; the other segments (a special
# issue's name, a hostile title's own "|") are title.
_TITLE_SEPARATOR = re.compile(r"(\s*[|｜]\s*)")
_TITLE_DATE = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)日?\s*(?:[(（][^)）]*[)）])?\s*"
)
_INLINE_COVERAGE = re.compile(r"\s*(?:覆盖窗口|覆盖范围)\s*[:：]\s*")



def parse_text(text: str) -> Issue:
    """Parse an issue written in the plain-text grammar (normalizing it first)."""
    return read_text(text).issue


@dataclass(frozen=True, slots=True)
class TextParse:
    issue: Issue
    warnings: tuple[ParseWarning, ...]  # Issue.warnings with line and kind apart
    sources: tuple[CitedSource, ...]  # every source with the line citing it


def read_text(
    text: str, limits: InputLimits = DEFAULT_LIMITS, log: WarningLog | None = None
) -> TextParse:
    """The issue, its warnings with their kinds and its sources with their lines."""
    log = log or WarningLog()
    issue, items = parse_lines(normalize_lines(text), log, limits)
    return TextParse(issue, log.warnings(), tuple(c for i in items for c in i.cited()))


def parse_lines(
    lines: list[Line], log: WarningLog, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[Issue, list[Item]]:
    """The issue in normalized lines, and its items in section order."""
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
                WarningKind.MISSING,
            )

    def paragraphs_of(section: Section) -> tuple[str, ...]:
        if section not in bodies:
            return ()
        heading, body = bodies[section]
        found = _paragraphs(body)
        if not found:
            log.add(
                heading.number,
                f"{vocab.SECTION_HEADINGS[section]} section is empty",
                WarningKind.MISSING,
            )
        return found

    conclusions: tuple[str, ...] = ()
    if Section.CONCLUSIONS in bodies:
        conclusions = _conclusions(*bodies[Section.CONCLUSIONS], log, limits)

    items: dict[Section, list[Item]] = {}
    for section in (Section.EVENTS, Section.X_POSTS, Section.RESEARCH):
        if section in bodies:
            items[section] = parse_items(section, *bodies[section], log, limits)

    in_order = [i for s in vocab.SECTION_ORDER for i in items.get(s, [])]
    check_sources(in_order, log)
    issue = Issue(
        date=date,
        title=title,
        coverage=coverage,
        overview=paragraphs_of(Section.OVERVIEW),
        conclusions=conclusions,
        events=tuple(i.event() for i in items.get(Section.EVENTS, [])),
        analysis=paragraphs_of(Section.ANALYSIS),
        x_posts=tuple(i.x_post() for i in items.get(Section.X_POSTS, [])),
        research=tuple(i.paper() for i in items.get(Section.RESEARCH, [])),
        warnings=log.as_tuple(),
    )
    return issue, in_order


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
        log.add(title_line.number if title_line else first, "no title line", WarningKind.MISSING)

    date = _parse_date(date_text)
    title_date = _parse_date(title_date_text)
    if date is None and date_text:
        log.add(date_line, f"日期 is not a date: {date_text}", WarningKind.MISSING)
    if date is None:
        date = title_date
    elif title_date is not None and title_date != date:
        log.add(date_line, f"日期 {date} differs from the title's date {title_date}")
    if date is None:
        log.add(date_line or first, "no date (neither a 日期 line nor a date in the title)",
                WarningKind.MISSING)
    if not coverage:
        log.add(date_line or first, "no 覆盖窗口", WarningKind.MISSING)
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


def _conclusions(
    heading: Line, lines: list[Line], log: WarningLog, limits: InputLimits
) -> tuple[str, ...]:
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
    check_count(heading, len(found), log, limits)
    return found


__all__ = ["TextParse", "parse_lines", "parse_text", "read_text"]
