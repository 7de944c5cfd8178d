"""Splitting a block that is over a platform's limit, at the best boundary in reach.

Both splitters work on the same atom stream: a tag, an HTML entity, a Slack `<url|label>` link
and a single code point are atoms, so a split can never fall inside any of them (and Python
strings hold code points, never half a surrogate pair). Pure functions.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from digestbot.rendering.limits import SLACK_MAX_SECTION, TELEGRAM_MAX_ENTITIES, utf16_len

_SENTENCE_END_CJK = frozenset("。！？；")
_SENTENCE_END_LATIN = frozenset(".!?")
_ZWJ = "\u200d"

_TG_TOKEN = re.compile(
    r"(?P<tag><(?P<slash>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);)"
    r"|(?P<char>.)",
    re.DOTALL,
)
_MRKDWN_TOKEN = re.compile(
    r"(?P<link><[^<>]*>)|(?P<entity>&(?:amp|lt|gt);)|(?P<char>.)",
    re.DOTALL,
)
_URL_RUN = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class _Atom:
    kind: Literal["start", "end", "text"]
    raw: str
    visible: str = ""  # what a reader sees; "" for tags
    size: int = 0  # how much of the limit it uses
    name: str = ""  # tag name for start/end


def _telegram_atoms(text: str) -> list[_Atom]:
    """One atom per tag, entity or character: the stream the splitter cuts between. Only
    built for a block that must be split; measuring uses the faster functions below."""
    atoms: list[_Atom] = []
    for m in _TG_TOKEN.finditer(text):
        if m.group("tag"):
            kind: Literal["start", "end"] = "end" if m.group("slash") else "start"
            atoms.append(_Atom(kind, m.group(0), name=m.group("name").lower()))
        elif m.group("char"):
            char = m.group(0)
            atoms.append(_Atom("text", char, char, 2 if ord(char) > 0xFFFF else 1))
        else:
            visible = html.unescape(m.group(0))
            atoms.append(_Atom("text", m.group(0), visible, utf16_len(visible)))
    return atoms


def _grapheme_unsafe(visible: str, offset: int) -> bool:
    """Splitting at `offset` would tear an emoji ZWJ sequence, a modifier or a combining mark."""
    if offset <= 0 or offset >= len(visible):
        return False
    before, after = visible[offset - 1], visible[offset]
    if before == _ZWJ or after == _ZWJ or unicodedata.combining(after):
        return True
    if "\ufe00" <= after <= "\ufe0f" or "\U0001f3fb" <= after <= "\U0001f3ff":
        return True
    # A flag is two regional indicators; keep a pair together.
    return "\U0001f1e6" <= before <= "\U0001f1ff" and "\U0001f1e6" <= after <= "\U0001f1ff"


def _boundary_level(visible: str, offset: int) -> int:
    """How good a split after visible[offset-1] is: 3 paragraph, 2 sentence, 1 word, 0 any."""
    before = visible[offset - 1]
    after = visible[offset] if offset < len(visible) else " "
    if before == "\n":
        return 3
    if before in _SENTENCE_END_CJK or (before in _SENTENCE_END_LATIN and after.isspace()):
        return 2
    if before.isspace():
        return 1
    return 0


def _split_atoms(atoms: Sequence[_Atom], limit: int, max_entities: int) -> list[list[_Atom]]:
    """Cut an atom stream into chunks within `limit` size and `max_entities` tag pairs each.

    Tags still open at a cut are closed at the end of the chunk and reopened at the start of
    the next one. The cut goes at the latest paragraph end in reach, else sentence end, else
    word gap, else any safe point; never inside a link, a visible URL or a grapheme cluster
    unless nothing else fits.
    """
    visible = "".join(a.visible for a in atoms)
    offsets: list[int] = []  # visible offset before each atom
    pos = 0
    for a in atoms:
        offsets.append(pos)
        pos += len(a.visible)
    offsets.append(pos)
    in_url = [False] * (len(visible) + 1)
    for m in _URL_RUN.finditer(visible):
        for o in range(m.start() + 1, m.end()):
            in_url[o] = True

    chunks: list[list[_Atom]] = []
    stack: list[_Atom] = []
    i, n = 0, len(atoms)
    while i < n:
        reopened = list(stack)
        open_tags = list(stack)
        size, entities = 0, len(reopened)
        # level -> (cut index, size before the cut, open tags there), the latest of each level
        best: dict[int, tuple[int, int, list[_Atom]]] = {}
        j = i
        while j < n:
            a = atoms[j]
            if a.kind == "text":
                if size + a.size > limit:
                    break
                size += a.size
            elif a.kind == "start":
                if entities + 1 > max_entities:
                    break
                entities += 1
                open_tags.append(a)
            elif open_tags:
                open_tags.pop()
            j += 1
            if j < n and _is_cut_candidate(atoms, j):
                o = offsets[j]
                if o == 0 or _grapheme_unsafe(visible, o):
                    continue
                protected = in_url[o] or any(t.name == "a" for t in open_tags)
                level = -1 if protected else _boundary_level(visible, o)
                best[level] = (j, size, list(open_tags))
        if j >= n:
            chunks.append(reopened + list(atoms[i:n]))
            break
        if best:
            cut, stack_at_cut = _choose_cut(best, limit)
        else:
            cut, stack_at_cut = max(j, i + 1), open_tags
        chunk = reopened + list(atoms[i:cut])
        chunk += [_Atom("end", f"</{t.name}>", name=t.name) for t in reversed(stack_at_cut)]
        chunks.append(chunk)
        stack = stack_at_cut
        i = cut
        # Whitespace at a cut would only be trimmed by the platform; drop it here.
        while i < n and atoms[i].kind == "text" and atoms[i].visible.isspace():
            i += 1
    return chunks


def _choose_cut(
    best: dict[int, tuple[int, int, list[_Atom]]], limit: int
) -> tuple[int, list[_Atom]]:
    """The best kind of boundary that still fills at least half a message; a paragraph end
    near the start of a huge paragraph would otherwise leave a tiny first part."""
    for level in sorted(best, reverse=True):
        cut, size, stack = best[level]
        if size * 2 >= limit:
            return cut, stack
    cut, _, stack = max(best.values(), key=lambda c: c[0])
    return cut, stack


def _is_cut_candidate(atoms: Sequence[_Atom], j: int) -> bool:
    """Cut between atoms j-1 and j, but not right after an opening or before a closing tag
    (that would leave an empty element behind)."""
    return atoms[j - 1].kind != "start" and atoms[j].kind != "end"


def split_telegram_html(
    text: str, limit: int, max_entities: int = TELEGRAM_MAX_ENTITIES
) -> list[str]:
    """Split one balanced Telegram HTML block into pieces each within the limits."""
    atoms = _telegram_atoms(text)
    pieces = [
        "".join(a.raw for a in chunk).strip() for chunk in _split_atoms(atoms, limit, max_entities)
    ]
    return [p for p in pieces if p]


def _mrkdwn_atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for m in _MRKDWN_TOKEN.finditer(text):
        raw = m.group(0)
        # A link is one unbreakable atom; its visible stand-in is a non-space character.
        visible = "\x00" if m.group("link") else html.unescape(raw)
        atoms.append(_Atom("text", raw, visible, len(raw)))
    return atoms


def split_mrkdwn(text: str, limit: int = SLACK_MAX_SECTION) -> list[str]:
    """Split escaped Slack mrkdwn into pieces of at most `limit` characters each, never inside
    an `&amp;`-style escape or a `<url|label>` link."""
    if len(text) <= limit:
        return [text]
    chunks = _split_atoms(_mrkdwn_atoms(text), limit, max_entities=0)
    pieces = ["".join(a.raw for a in chunk).strip() for chunk in chunks]
    return [p for p in pieces if p]


__all__ = ["split_mrkdwn", "split_telegram_html"]
