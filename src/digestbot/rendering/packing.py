"""Laying a Telegram digest's rendered blocks (sections, cards) out as messages: as few as the
limits allow, as even as whole blocks permit, numbered "(k/n)" when there is more than one.
Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from digestbot.rendering.limits import (
    TELEGRAM_MAX_ENTITIES,
    TELEGRAM_MAX_UTF16,
    telegram_entity_count,
    telegram_length,
    utf16_len,
)
from digestbot.rendering.splitting import split_telegram_html

# "(12/13)\n" and then some: room for the part number prefix of a split digest.
_PART_PREFIX_RESERVE = 12
_PART_PREFIX = re.compile(r"\A\(\d+/\d+\)\n")


def strip_part_number(text: str) -> str:
    """A part's text without the "(2/4)" line `pack_telegram` puts in front."""
    return _PART_PREFIX.sub("", text, count=1)


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


__all__ = ["pack_telegram", "strip_part_number"]
