"""Platform length limits and the splitting that keeps a render inside them. Pure functions.

Telegram counts a message's length in UTF-16 code units of the text *after* entity parsing (tags
removed, `&amp;` counted as one `&`), and allows at most 100 entities (one per tag pair). Slack
counts the raw mrkdwn characters of a section. Both splitters work on the same atom stream: a
tag, an HTML entity, a Slack `<url|label>` link and a single code point are atoms, so a split can
never fall inside any of them (and Python strings hold code points, never half a surrogate pair).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

TELEGRAM_MAX_UTF16 = 4096
TELEGRAM_MAX_ENTITIES = 100
SLACK_MAX_SECTION = 3000
SLACK_MAX_HEADER = 150
SLACK_MAX_BLOCKS = 50  # per message, and per response_url post
SLACK_MAX_FALLBACK = 3000  # the top-level `text` shown in notifications
# Slack truncates a message's text at 40,000 characters; a reply this size is already a wall.
SLACK_MAX_MESSAGE_CHARS = 12_000
# The whole encoded MIME message: Gmail clips a message past ~102 KB ("[Message clipped]").
EMAIL_MAX_BYTES = 100_000

# "(12/13)\n" and then some: room for the part number prefix of a split digest.
_PART_PREFIX_RESERVE = 12
_PART_PREFIX = re.compile(r"\A\(\d+/\d+\)\n")

_SENTENCE_END_CJK = frozenset("。！？；")
_SENTENCE_END_LATIN = frozenset(".!?")
_ZWJ = "\u200d"

_TG_TOKEN = re.compile(
    r"(?P<tag><(?P<slash>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>)"
    r"|(?P<entity>&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);)"
    r"|(?P<char>.)",
    re.DOTALL,
)
_TG_TAG = re.compile(r"<(/?)[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>")
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


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: astral characters (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


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


def telegram_visible_text(text: str) -> str:
    """The text a Telegram reader sees: tags dropped, entities decoded."""
    return html.unescape(_TG_TAG.sub("", text))


def telegram_length(text: str) -> int:
    """The length Telegram checks against its 4096 limit."""
    return utf16_len(telegram_visible_text(text))


def telegram_entity_count(text: str) -> int:
    """Formatting entities in Telegram HTML: one per opening tag."""
    return sum(1 for m in _TG_TAG.finditer(text) if not m.group(1))


def strip_part_number(text: str) -> str:
    """A part's text without the "(2/4)" line `pack_telegram` puts in front."""
    return _PART_PREFIX.sub("", text, count=1)


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


def _fits_telegram(text: str, limit: int, max_entities: int) -> bool:
    return telegram_length(text) <= limit and telegram_entity_count(text) <= max_entities


def pack_telegram(
    blocks: Sequence[str],
    limit: int = TELEGRAM_MAX_UTF16,
    max_entities: int = TELEGRAM_MAX_ENTITIES,
    separator: str = "\n\n",
) -> list[str]:
    """Lay out rendered blocks (sections, cards) as few messages as the limits allow, with
    the text spread evenly over them.

    Blocks stay whole when they fit; a block too big for any message is split on its own.
    With more than one message each starts with a "(k/n)" line, for which room is reserved.
    """
    blocks = [b.strip() for b in blocks if b.strip()]
    whole = separator.join(blocks)
    if _fits_telegram(whole, limit, max_entities):
        return [whole] if whole else []
    budget = limit - _PART_PREFIX_RESERVE
    messages = _balanced(blocks, budget, max_entities, separator)
    total = len(messages)
    return [f"({k}/{total})\n{m}" for k, m in enumerate(messages, start=1)]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    size: int  # visible UTF-16 units
    entities: int
    fresh: bool  # continues a split block: must start a message


def _pieces(blocks: list[str], budget: int, max_entities: int) -> list[_Piece]:
    """Blocks, with any block too big for one message split into even pieces (so a long
    paragraph ends in a real piece, not a few words); each piece after the first of a block
    goes out on its own, so a reader sees the block continue, never a gap inside it."""
    pieces: list[_Piece] = []
    for block in blocks:
        split = [block]
        if not _fits_telegram(block, budget, max_entities):
            split = split_telegram_html(block, budget, max_entities)
            if telegram_length(split[-1]) * 4 < budget:  # a stub: cut into even pieces instead
                count = len(split)
                even = -(-telegram_length(block) * 11 // (count * 10))  # +10% for boundaries
                evenly = split_telegram_html(block, min(budget, even), max_entities)
                split = evenly if len(evenly) <= count else split
        pieces.extend(
            _Piece(p, telegram_length(p), telegram_entity_count(p), n > 0)
            for n, p in enumerate(split)
        )
    return pieces


def _balanced(blocks: list[str], budget: int, max_entities: int, separator: str) -> list[str]:
    """As few messages as the limits allow (filling each before the next needs no more), laid
    out so the smallest is as big as possible: a digest of 4,200 units goes out as two of
    ~2,100, not as 4,080 and a lonely "阅读全文" line."""
    pieces = _pieces(blocks, budget, max_entities)
    sep = utf16_len(separator)
    n = len(pieces)

    def groups_ending_at(i: int) -> list[tuple[int, int]]:
        """(j, size) for every pieces[j:i] that may go out as one message."""
        found: list[tuple[int, int]] = []
        size = entities = 0
        for j in range(i - 1, -1, -1):
            if j < i - 1 and pieces[j + 1].fresh:
                break  # a continuation piece only ever starts a message
            size += pieces[j].size + (sep if j < i - 1 else 0)
            entities += pieces[j].entities
            if j < i - 1 and (size > budget or entities > max_entities):
                break  # (a piece alone always goes: the splitter made it fit)
            found.append((j, size))
        return found

    ending = [groups_ending_at(i) for i in range(n + 1)]
    # fewest[i]: the fewest messages pieces[:i] can go out in.
    unset = n + 1
    fewest = [0] + [unset] * n
    for i in range(1, n + 1):
        for j, _ in ending[i]:
            fewest[i] = min(fewest[i], fewest[j] + 1)
    count = fewest[n]
    # smallest[k][i]: the largest possible smallest message, pieces[:i] in k messages.
    none = -1
    smallest = [[none] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    smallest[0][0] = budget + 1
    for k in range(1, count + 1):
        for i in range(1, n + 1):
            for j, size in ending[i]:
                if smallest[k - 1][j] == none:
                    continue
                value = min(smallest[k - 1][j], size)
                if value > smallest[k][i]:
                    smallest[k][i], cut[k][i] = value, j
    messages: list[str] = []
    i = n
    for k in range(count, 0, -1):
        j = cut[k][i]
        messages.append(separator.join(p.text for p in pieces[j:i]))
        i = j
    return messages[::-1]


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


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters, ending in an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)].rstrip() + ellipsis


__all__ = [
    "EMAIL_MAX_BYTES",
    "SLACK_MAX_BLOCKS",
    "SLACK_MAX_FALLBACK",
    "SLACK_MAX_HEADER",
    "SLACK_MAX_MESSAGE_CHARS",
    "SLACK_MAX_SECTION",
    "TELEGRAM_MAX_ENTITIES",
    "TELEGRAM_MAX_UTF16",
    "pack_telegram",
    "split_mrkdwn",
    "split_telegram_html",
    "strip_part_number",
    "telegram_entity_count",
    "telegram_length",
    "telegram_visible_text",
    "truncate",
    "utf16_len",
]
