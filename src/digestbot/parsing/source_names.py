"""The names in the text between two source URLs: which one the next URL belongs to.

`甲纪要 | 乙周刊 (<url>)` is two sources, the first without a URL; the report's own style
`Publisher | Title (<url>)` is one. A pipe between a short publisher-like part and a longer
title joins them; any other pipe, a line break or a semicolon separates sources. When unsure,
separating is the safe side: a URL then goes to too short a name (and the editor is warned
about the name without a URL) but never to another source's name.
"""

from __future__ import annotations

import re

from digestbot.parsing.normalize import is_cjk

# Separators that always separate sources, and the pipe that may be "Publisher | Title".
_HARD_SEPARATOR = re.compile(r"[\n;；]")
_PIPE = re.compile(r"[|｜]")
_EDGE_JUNK = " \t\n|｜,，;；、:：-–—·•*/"
_OPEN = "(（[<"
_CLOSE = ")）]>"
# "(4596854)" after a URL: an article id the CMS leaves behind.
ID_JUNK = re.compile(r"[(（]\s*\d+\s*[)）]")
# Markdown backslash escapes ("\$10 billion") in names: the link syntax is not the name.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A publisher ("Reuters via Investing.com", "彭博社") is short; longer, it is a source itself.
_MAX_PUBLISHER_WIDTH = 32
_MAX_BRAND_WIDTH = 12


def clean_name(text: str) -> str:
    """A name without Markdown escapes, runs of whitespace, separators and dangling brackets."""
    text = _MD_ESCAPE.sub(r"\1", text)
    text = " ".join(text.split())
    while True:  # strip separators and dangling brackets at both edges until nothing changes
        stripped = text.strip(_EDGE_JUNK)
        if stripped[:1] in _CLOSE:
            stripped = stripped[1:]
        if stripped[-1:] in _OPEN:
            stripped = stripped[:-1]
        if stripped == text:
            return text
        text = stripped


def split_names(segment: str) -> list[tuple[int, str]]:
    """Every name in `segment`, in order, with the line (0-based, within the segment) it is on.
    When a URL follows the segment, it belongs to the last name."""
    names: list[tuple[int, str]] = []
    line = 0
    position = 0
    for separator in [*_HARD_SEPARATOR.finditer(segment), None]:
        end = separator.start() if separator else len(segment)
        names.extend((line, name) for name in _pipe_names(segment[position:end]))
        if separator is not None:
            line += separator.group(0) == "\n"
            position = separator.end()
    return names


def ends_open(segment: str) -> bool:
    """Whether the segment's last name runs on into what follows ("Reuters：[title](url)")
    rather than ending at a separator ("甲纪要 | [乙周刊](url)")."""
    tail = ID_JUNK.sub("", segment).rstrip(" \t")
    return bool(tail) and not (_HARD_SEPARATOR.match(tail[-1]) or _PIPE.match(tail[-1]))


def _pipe_names(chunk: str) -> list[str]:
    pieces = _PIPE.split(chunk)
    separators = ["", *_PIPE.findall(chunk)]
    # (the raw part with the pipe before it, the part cleaned) for every non-empty part
    parts = [
        (sep + raw, name)
        for sep, raw in zip(separators, pieces, strict=True)
        if (name := clean_name(ID_JUNK.sub("", raw)))
    ]
    names: list[str] = []
    i = len(parts) - 1
    while i >= 0:  # from the right: the last name is the one a following URL belongs to
        if i >= 1 and _publisher_and_title(parts[i - 1][1], parts[i][1]):
            names.append(clean_name(ID_JUNK.sub("", parts[i - 1][0] + parts[i][0])))
            i -= 2
        else:
            names.append(parts[i][1])
            i -= 1
    return names[::-1]


def _publisher_and_title(publisher: str, title: str) -> bool:
    """Whether "publisher | title" is one name: a short publisher before a longer title, or a
    Latin brand ("Microsoft | Copilot") before any title. A CJK part wider than what follows
    it ("投资者电话会纪要 | 行业周刊") is a source of its own."""
    width = _width(publisher)
    if width > _MAX_PUBLISHER_WIDTH:
        return False
    brand = width <= _MAX_BRAND_WIDTH and not any(is_cjk(ch) for ch in publisher)
    return brand or width <= _width(title)


def _width(text: str) -> int:
    return sum(2 if is_cjk(ch) else 1 for ch in text)


__all__ = ["ID_JUNK", "clean_name", "ends_open", "split_names"]
