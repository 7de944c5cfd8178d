"""Sources that parse but look wrong: the editor gets a warning on their line.

A host without a dot (`https://press-release-details/…`: the domain was lost), `http://`, a
name cut off at the front (`le | Gemma 4`, once `Google | Gemma 4`), one URL under two
different names (a copy-paste slip: two papers pointing at one abstract), or the same URL twice
in one item. The same source cited by several items under one name is normal and not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from digestbot.parsing.items import Item
from digestbot.parsing.warnings import WarningKind, WarningLog

# The front of a name cut off mid-word leaves a short lower-case stub ("le" of "Google").
_STUB = re.compile(r"^[a-z]{1,4}(?=$|[\s|｜:：,，])")
_LOWER_CASE_NAMES = frozenset({"npm", "pypi", "via"})


@dataclass(frozen=True, slots=True)
class _Cited:
    who: str
    name: str
    line: int


def check_sources(items: Iterable[Item], log: WarningLog) -> None:
    first_citation: dict[str, _Cited] = {}
    for item in items:
        seen_here: set[str] = set()
        for source, line in zip(item.sources, item.source_lines, strict=True):
            if _is_fragment(source.name):
                log.add(line, f"{item.who}: source name looks cut off: {source.name}",
                        WarningKind.NAME_FRAGMENT)
            if not source.url:
                continue
            _check_url(item.who, source.url, line, log)
            key = _comparable(source.url)
            if key in seen_here:
                log.add(line, f"{item.who}: the same URL twice: {source.url}",
                        WarningKind.DUPLICATE_URL)
                continue
            seen_here.add(key)
            first = first_citation.setdefault(key, _Cited(item.who, source.name, line))
            if first.who != item.who and not _same_name(first.name, source.name):
                log.add(
                    line,
                    f"{item.who}: URL also given to {first.who} (line {first.line}) under "
                    f"another name: {source.url}",
                    WarningKind.DUPLICATE_URL,
                )


def _check_url(who: str, url: str, line: int, log: WarningLog) -> None:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    if "." not in host:
        log.add(line, f"{who}: URL host has no dot, the domain may be missing: {url}",
                WarningKind.HOST_WITHOUT_DOT)
    if url.lower().startswith("http://"):
        log.add(line, f"{who}: URL is http://, not https://: {url}", WarningKind.PLAIN_HTTP)


def _is_fragment(name: str) -> bool:
    stub = _STUB.match(name)
    return stub is not None and stub.group(0) not in _LOWER_CASE_NAMES


def _comparable(url: str) -> str:
    """One URL however it is written: scheme and host case, trailing slash, #fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.netloc.lower()}{path}{query}"


def _same_name(one: str, other: str) -> bool:
    """One source, whether or not its publisher is written ("北岚智能 | Lumen-3 发布说明" and
    "Lumen-3 发布说明"); two papers' titles under one URL are not."""
    a, b = (" ".join(name.casefold().split()) for name in (one, other))
    return a in b or b in a


__all__ = ["check_sources"]
