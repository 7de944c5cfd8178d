"""Text normalization (DESIGN.md): the one place that decides what "the same text" means.

NFC; BOM, CRLF/CR and stray whitespace removed; paragraphs broken mid-sentence re-joined;
editors' spaced dates and model names ("2026 - 04 - 16", "GPT - 5.4 - Cyber") closed up.
Every output line remembers the input line it started on, so warnings can point at it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from digestbot.parsing import vocabulary as vocab


class Line(NamedTuple):
    number: int  # 1-based line of the input this line starts on
    text: str


_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
# C0/C1 controls other than tab and newline are never content.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f]")
_SPACE_RUNS = re.compile(r" {2,}")
# Stripped at line edges only: inside a line a ZWJ may be holding an emoji sequence together.
_EDGE_CHARS = " \u3000\u200b\u200c\u200d\u2060\ufeff\u180e"

_SPACED_DATE = re.compile(r"(?<!\d)(\d{4}) *- *(\d{1,2}) *- *(\d{1,2})(?!\d)")
_SPACED_HYPHEN = re.compile(r"(?<=[A-Za-z0-9]) +- +(?=[A-Za-z0-9])")
_TOKEN_BEFORE = re.compile(r"[A-Za-z0-9.+]*[A-Za-z0-9]$")
_TOKEN_AFTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+]*")
# A dash between these is prose ("Apple - the company"), not a name ("Habitat - GS").
_PROSE_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "he", "her",
        "his", "i", "in", "is", "it", "its", "not", "of", "on", "or", "our", "she", "so",
        "that", "the", "their", "them", "they", "this", "to", "was", "we", "were", "which",
        "who", "with", "you",
    }
)

_TERMINAL = frozenset("。！？!?…；;:：.)）】》]>》」』\"")
_CLOSING_QUOTES = frozenset("”’」』")
_STRUCTURAL_PREFIXES = ("#", "[", "(", "（", "<", "http://", "https://", "www.", "|", ">", "!")

_MAX_PASSES = 4


def normalize(text: str) -> str:
    """The normalized text of an issue (idempotent: normalize(normalize(t)) == normalize(t))."""
    return "\n".join(line.text for line in normalize_lines(text))


def normalize_lines(text: str) -> list[Line]:
    """Normalized lines, blank lines included (at most one in a row), with input line numbers."""
    text = text.lstrip("\ufeff")
    text = _LINE_BREAKS.sub("\n", text)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub("", text)
    lines = [Line(i, raw) for i, raw in enumerate(text.split("\n"), start=1)]
    # Each step can reveal work for another (a join can bring "GPT -" next to "- 5"), so run
    # them until nothing changes; the fixed point is what makes normalize idempotent.
    for _ in range(_MAX_PASSES):
        new = _pass(lines)
        if new == lines:
            break
        lines = new
    return lines


def _pass(lines: list[Line]) -> list[Line]:
    cleaned = [Line(n, fix_spacing(clean_line(t))) for n, t in lines]
    joined = _join_paragraphs(_blocks(cleaned))
    return [Line(n, fix_spacing(t)) for n, t in joined]


def clean_line(text: str) -> str:
    text = _ODD_SPACES.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", text)
    return text.strip(_EDGE_CHARS)


def fix_spacing(text: str) -> str:
    """Close up spaced dates and spaced hyphens inside ASCII names."""
    text = _SPACED_DATE.sub(r"\1-\2-\3", text)
    if " - " not in text and " -" not in text:
        return text
    return _SPACED_HYPHEN.sub(lambda m: _hyphen(text, m), text)


def _hyphen(text: str, match: re.Match[str]) -> str:
    before = _TOKEN_BEFORE.search(text[max(0, match.start() - 64) : match.start()])
    after = _TOKEN_AFTER.match(text[match.end() :])
    if before is None or after is None:
        return match.group(0)
    left, right = before.group(0), after.group(0).rstrip(".")
    if left.lower() in _PROSE_WORDS or right.lower() in _PROSE_WORDS:
        return match.group(0)
    if left.isalpha() and left.islower() and right.isalpha() and right.islower():
        return match.group(0)  # two plain lower-case words: an English dash, not a name
    return "-"


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.text:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _join_paragraphs(blocks: list[list[Line]]) -> list[Line]:
    merged: list[list[Line]] = []
    in_sources = False
    for index, block in enumerate(blocks):
        block, ends_in_sources = _join_lines(
            block, first_of_document=index == 0, in_sources=in_sources
        )
        previous = merged[-1] if merged else None
        title_only = len(merged) == 1 and previous is not None and len(previous) == 1
        joins = (
            previous is not None
            and not title_only  # the title line never absorbs what follows it
            and not in_sources
            and _continues(previous, block[0], blank_between=True)
        )
        in_sources = ends_in_sources
        if joins:
            assert previous is not None
            last = previous[-1]
            previous[-1] = Line(last.number, glue(last.text, block[0].text))
            previous.extend(block[1:])
            continue
        merged.append(block)
    out: list[Line] = []
    for block in merged:
        if out:
            out.append(Line(out[-1].number + 1, ""))
        out.extend(block)
    return out


def _join_lines(
    block: list[Line], *, first_of_document: bool, in_sources: bool
) -> tuple[list[Line], bool]:
    """The block with broken sentences re-joined, and whether it ends inside a source list
    (one source per line: "电话会纪要" above "行业周刊（url）" are two names, not one)."""
    out: list[Line] = [block[0]]
    in_sources = _sources_state(block[0].text, in_sources)
    for line in block[1:]:
        if (
            not in_sources
            and not (first_of_document and len(out) == 1)
            and _continues(out, line, blank_between=False)
        ):
            last = out[-1]
            out[-1] = Line(last.number, glue(last.text, line.text))
        else:
            out.append(line)
        in_sources = _sources_state(line.text, in_sources)
    return out, in_sources


def _sources_state(text: str, in_sources: bool) -> bool:
    """Inside a source list from its label until the next label (or section heading)."""
    label = vocab.split_label(text, _ANY_LABEL)
    if label is not None:
        return label[0] in _SOURCE_LABELS
    return in_sources and vocab.match_section(text) is None and vocab.numbered_item(text) is None


def _continues(previous: list[Line], nxt: Line, *, blank_between: bool) -> bool:
    """Whether `nxt` is the rest of a sentence that `previous` broke off."""
    last = previous[-1].text
    if _ends_sentence(last) or is_structural(nxt.text):
        return False
    if vocab.match_section(last) is not None:
        return False
    label = vocab.split_label(last, _ANY_LABEL)
    if label is not None and not label[1]:
        return False  # a label alone on its line introduces the next paragraph
    first = previous[0].text
    return not (
        blank_between
        and (vocab.numbered_item(first) is not None or vocab.bullet_item(first) is not None)
    )


_SOURCE_LABELS = frozenset({"来源", "可信来源"})
_ANY_LABEL: frozenset[str] = frozenset(
    {*(k for labels in vocab.LABELS.values() for k in labels), "日期", "覆盖窗口"}
)


def _ends_sentence(text: str) -> bool:
    last = text[-1]
    if last in _CLOSING_QUOTES:
        return len(text) > 1 and text[-2] in _TERMINAL
    return last in _TERMINAL


def is_structural(text: str) -> bool:
    """Lines that start something (heading, item, label, list, link) and never continue one."""
    return (
        text.startswith(_STRUCTURAL_PREFIXES)
        or vocab.match_section(text) is not None
        or vocab.numbered_item(text) is not None
        or vocab.bullet_item(text) is not None
        or vocab.is_any_label(text)
    )


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


_CJK_FRIENDLY = frozenset("“”‘’…—·")


def glue(left: str, right: str) -> str:
    """Join two pieces of one sentence: no space between CJK, one space between Latin words."""
    a, b = left[-1], right[0]
    if (is_cjk(a) and (is_cjk(b) or b in _CJK_FRIENDLY)) or (
        is_cjk(b) and a in _CJK_FRIENDLY
    ):
        return left + right
    return f"{left} {right}"


__all__ = ["Line", "glue", "is_cjk", "is_structural", "normalize", "normalize_lines"]
