"""The item sections (events, X posts, research): numbered items, their labelled fields and
their sources, each remembered with the input line it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from digestbot.input_limits import InputLimits
from digestbot.model import Event, Paper, Source, XPost
from digestbot.parsing import vocabulary as vocab
from digestbot.parsing.normalize import Line
from digestbot.parsing.sources import read_sources
from digestbot.parsing.vocabulary import Field, Section
from digestbot.parsing.warnings import WarningKind, WarningLog

NOUNS = {Section.EVENTS: "event", Section.X_POSTS: "X post", Section.RESEARCH: "research item"}
_BREAK = ""  # a paragraph break inside a field


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A source where the issue cites it: the input line and the item ("event 2")."""

    line: int
    who: str
    source: Source


@dataclass
class Item:
    rank: int
    line: int
    title: str
    section: Section
    fields: dict[Field, list[Line]] = field(default_factory=dict)
    field_lines: dict[Field, int] = field(default_factory=dict)
    current: Field | None = None
    preamble: list[Line] = field(default_factory=list)
    sources: tuple[Source, ...] = ()
    source_lines: tuple[int, ...] = ()  # the input line of each source

    @property
    def who(self) -> str:
        """"event 2", "X post 1": how warnings name the item."""
        return f"{NOUNS[self.section]} {self.rank}"

    def cited(self) -> list[CitedSource]:
        return [CitedSource(line, self.who, s) for s, line in zip(
            self.sources, self.source_lines, strict=True)]

    def text(self, name: Field) -> str:
        """A field's paragraphs, joined by blank lines."""
        paragraphs: list[list[str]] = [[]]
        for piece in self.fields.get(name, []):
            if piece.text:
                paragraphs[-1].append(piece.text)
            elif paragraphs[-1]:
                paragraphs.append([])
        return "\n\n".join("\n".join(p) for p in paragraphs if p)

    def event(self) -> Event:
        return Event(
            rank=self.rank,
            title=self.title,
            what_happened=self.text(Field.WHAT_HAPPENED),
            key_facts=self.text(Field.KEY_FACTS),
            why_it_matters=self.text(Field.WHY_IT_MATTERS),
            implications=self.text(Field.IMPLICATIONS),
            sources=self.sources,
        )

    def x_post(self) -> XPost:
        return XPost(
            rank=self.rank,
            title=self.title,
            kind=self.text(Field.KIND),
            verification=self.text(Field.VERIFICATION),
            verdict=self.text(Field.VERDICT),
            sources=self.sources,
        )

    def paper(self) -> Paper:
        return Paper(
            rank=self.rank,
            title=self.title,
            what=self.text(Field.WHAT),
            novelty=self.text(Field.NOVELTY),
            applications=self.text(Field.APPLICATIONS),
            verdict=self.text(Field.VERDICT),
            sources=self.sources,
        )


def parse_items(
    section: Section, heading: Line, lines: list[Line], log: WarningLog, limits: InputLimits
) -> list[Item]:
    items: list[Item] = []
    for index, line in enumerate(lines):
        current = items[-1] if items else None
        if not line.text:
            if current is not None and current.current is not None:
                current.fields[current.current].append(Line(line.number, _BREAK))
            continue
        numbered = vocab.numbered_item(line.text)
        if numbered is not None and _starts_item(section, items, numbered[0], lines, index):
            items.append(Item(len(items) + 1, line.number, numbered[1], section))
            continue
        label = vocab.item_label(section, line.text)
        if current is None:
            log.add(line.number, f"text before the first {NOUNS[section]} ignored")
        elif label is not None:
            name, value = label
            if current.fields.get(name):
                current.fields[name].append(Line(line.number, _BREAK))
            current.fields.setdefault(name, [])
            current.field_lines.setdefault(name, line.number)
            current.current = name
            if value:
                current.fields[name].append(Line(line.number, value))
        elif current.current is None:
            current.preamble.append(line)
        else:
            current.fields[current.current].append(line)
    for item in items:
        _finish(item, log)
    check_count(heading, len(items), log, limits)
    return items


def check_count(heading: Line, count: int, log: WarningLog, limits: InputLimits) -> None:
    if count == 0:
        log.add(heading.number, f"{heading.text} has no items", WarningKind.COUNT)
        return
    promised = vocab.promised_count(heading.text)
    too_many = limits.count_problem(heading.text, count, promised)
    if too_many is not None:
        log.add(heading.number, too_many, WarningKind.LIMIT)
    elif promised is not None and promised != count:
        log.add(
            heading.number,
            f"{heading.text} promises {promised} items but has {count}",
            WarningKind.COUNT,
        )


def _starts_item(
    section: Section, items: list[Item], number: int, lines: list[Line], index: int
) -> bool:
    """Whether a numbered line opens the next item rather than a list inside a field."""
    if not items or lines[index].text.startswith("#"):
        return True  # the first number, or a heading: markdown.py marks item headings "### N."
    if number != len(items) + 1:
        return False
    current = items[-1]
    if Field.SOURCES in current.fields or current.current is None:
        return True
    following = _next_text(lines, index + 1)
    if following is None:
        return True
    label = vocab.item_label(section, following)
    if label is not None:
        # The next item's fields start over: a first field, or one this item already has.
        return label[0] == vocab.REQUIRED_FIELDS[section][0][0] or label[0] in current.fields
    nxt = vocab.numbered_item(following)
    return nxt is not None and nxt[0] == number + 1


def _next_text(lines: list[Line], start: int) -> str | None:
    """The next non-blank line's text (normalization leaves at most one blank line between)."""
    for index in range(start, min(start + 2, len(lines))):
        if lines[index].text:
            return lines[index].text
    return None


def _finish(item: Item, log: WarningLog) -> None:
    who = item.who
    if not item.title:
        log.add(item.line, f"{who} has no title", WarningKind.MISSING)
    required = vocab.REQUIRED_FIELDS[item.section]
    if item.preamble:
        first_field, first_label = required[0]
        preamble_line = item.preamble[0].number
        if not item.text(first_field):
            text = "\n".join(line.text for line in item.preamble)
            item.fields[first_field] = [Line(preamble_line, text)]
            log.add(preamble_line, f"{who}: unlabelled text taken as {first_label}")
        else:
            log.add(preamble_line, f"{who}: unlabelled text before its fields ignored")
    for name, label in required:
        if name is not Field.SOURCES and not item.text(name):
            log.add(item.line, f"{who} has no {label}", WarningKind.MISSING)
    _read_sources(item, required[-1][1], log)


def _read_sources(item: Item, label: str, log: WarningLog) -> None:
    pieces = [p for p in item.fields.get(Field.SOURCES, []) if p.text]
    if not pieces:
        log.add(item.line, f"{item.who} has no {label}", WarningKind.MISSING)
        return
    read = read_sources("\n".join(p.text for p in pieces))
    for note in read.notes:
        log.add(pieces[note.line].number, f"{item.who}: {note.message}", note.kind)
    if not any(s.url for s in read.sources):
        log.add(pieces[0].number, f"{item.who} {label} has no URL", WarningKind.NO_URL)
    item.sources = read.sources
    item.source_lines = tuple(pieces[line].number for line in read.lines)


__all__ = ["NOUNS", "CitedSource", "Item", "check_count", "parse_items"]
