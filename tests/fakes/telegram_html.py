"""A simplified Telegram HTML entity parser: enough to reject what Telegram rejects (unknown
tags, unbalanced tags, a bare `<`) and to measure the visible text in UTF-16 units."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
# Telegram decodes these; any other `&` is kept as a literal character.
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


class EntityParseError(ValueError):
    """The text cannot be parsed; str() is Telegram's wording after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def visible_text(source: str) -> str:
    """The text a reader sees, after tags are removed and entities decoded."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG.match(source, i)
            if match is None:
                raise EntityParseError(
                    f'Unsupported start tag "" at byte offset {_byte_offset(source, i)}'
                )
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                kind = "end" if closing else "start"
                raise EntityParseError(
                    f'Unsupported {kind} tag "{name}" at byte offset {_byte_offset(source, i)}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise EntityParseError(
                        f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
                        if stack
                        else f"Unexpected end tag at byte offset {_byte_offset(source, i)}"
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
            continue
        if ch == "&":
            match = _ENTITY.match(source, i)
            if match is not None:
                out.append(html.unescape(match.group(0)))
                i = match.end()
                continue
        out.append(ch)
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


__all__ = ["ALLOWED_TAGS", "EntityParseError", "utf16_len", "visible_text"]
