"""Markdown export → the plain-text grammar, one output line per input line.

Headings lose their `#`s, bold labels their `**`, bulleted labels their bullet; links stay as
`[text](url)` (the source parser reads them). Line numbers survive so warnings point at the file.

A heading that titles an item (an event, X post or paper written as `### …` or, from a CMS,
`<h3>`/`<li><h3>`) becomes `### N. title`: numbered in order, whatever numbering style the
page used, and marked so the text grammar takes it as an item start without second-guessing.
"""

from __future__ import annotations

import re

from digestbot.parsing import vocabulary as vocab

_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
# A list item whose content is a heading: "1. ### title" or "- ### title".
_LIST_HEADING = re.compile(r"^\s*(\d{1,3}[.)]|[-*+])\s+(#{1,6})(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_LIST_MARK = re.compile(r"^(?:\d{1,3}[.)]|[-*+])\s+")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING_END = frozenset("。！？!?：:…")
_ITEM_SECTIONS = frozenset({vocab.Section.EVENTS, vocab.Section.X_POSTS, vocab.Section.RESEARCH})


class _Headings:
    """Which headings title items: in an item section, the level of its first heading that is
    neither a section nor a field label. Deeper headings inside an item stay text."""

    def __init__(self) -> None:
        self.section: vocab.Section | None = None
        self.level: int | None = None
        self.count = 0

    def see(self, text: str) -> bool:
        """Follow the section a converted line opens; True when it opened one."""
        section = vocab.match_section(text)
        if section is None:
            return False
        self.section, self.level, self.count = section, None, 0
        return True

    def heading_line(self, level: int, text: str) -> str:
        """`### N. title` when this heading titles the next item. A sub-heading inside a
        section ("背景") gets a colon, so normalization never glues it to the next paragraph."""
        if self.see(text) or self.section is None or not text or vocab.is_any_label(text):
            return text
        if self.section in _ITEM_SECTIONS and self.level in (None, level):
            self.level = level
            self.count += 1
            # "<li><h3>2. title" arrives as "2. 2. title": the list's number, then the heading's.
            title = vocab.strip_ordinal(_LIST_MARK.sub("", text, count=1))
            return f"### {self.count}. {title}"
        listed = vocab.numbered_item(text) or vocab.bullet_item(text)
        return text if listed or text[-1] in _HEADING_END else text + "："


def markdown_to_text(markdown: str, *, unescape: bool = True) -> str:
    """The plain-text form of a Markdown issue, line for line.

    `unescape` resolves Markdown backslash escapes (`\\*` → `*`); off for text that came from
    HTML, where a backslash is the author's own character.
    """
    out: list[str] = []
    in_fence = False
    items = _Headings()
    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append("")
            continue
        if in_fence:
            out.append(line)
            continue
        converted = convert_line(line, unescape=unescape)
        level = _heading_level(line)
        if level:
            converted = items.heading_line(level, converted)
        else:
            items.see(converted)
        out.append(converted)
    return "\n".join(out)


def _heading_level(line: str) -> int:
    """1–6 for a heading (also one inside a list item), 0 for any other line."""
    line = _unquoted(line)
    if heading := _HEADING.match(line):
        return len(heading.group(1))
    if listed := _LIST_HEADING.match(line):
        return len(listed.group(2))
    return 0


def _unquoted(line: str) -> str:
    while _QUOTE.match(line):
        line = _QUOTE.sub("", line, count=1)
    return line


def convert_line(line: str, *, unescape: bool = True) -> str:
    if _RULE.match(line):
        return ""
    line = _unquoted(line)
    if heading := _HEADING.match(line):
        line = heading.group(2)
    elif listed := _LIST_HEADING.match(line):
        line = f"{listed.group(1)} {listed.group(3)}"  # the list's number stays: "1. title"
    line = _STRONG.sub(lambda m: m.group(1) or m.group(2), line)
    stripped = line.strip()
    bullet = _BULLET.match(stripped)
    if bullet is not None:
        rest = stripped[bullet.end() :]
        # A bulleted label ("- **发生了什么**：…") is a field, not a list item.
        stripped = rest if vocab.is_any_label(rest) else "- " + rest
    if unescape:
        stripped = _ESCAPE.sub(r"\1", stripped)
    return stripped


__all__ = ["convert_line", "markdown_to_text"]
