"""Markdown export → the plain-text grammar, one output line per input line.

Headings lose their `#`s, bold labels their `**`, bulleted labels their bullet; links stay as
`[text](url)` (the source parser reads them). Line numbers survive so warnings point at the file.
"""

from __future__ import annotations

import re

from digestbot.parsing import vocabulary as vocab

_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def markdown_to_text(markdown: str, *, unescape: bool = True) -> str:
    """The plain-text form of a Markdown issue, line for line.

    `unescape` resolves Markdown backslash escapes (`\\*` → `*`); off for text that came from
    HTML, where a backslash is the author's own character.
    """
    out: list[str] = []
    in_fence = False
    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append("")
            continue
        out.append(line if in_fence else convert_line(line, unescape=unescape))
    return "\n".join(out)


def convert_line(line: str, *, unescape: bool = True) -> str:
    if _RULE.match(line):
        return ""
    while _QUOTE.match(line):
        line = _QUOTE.sub("", line, count=1)
    heading = _HEADING.match(line)
    if heading is not None:
        line = heading.group(1)
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
