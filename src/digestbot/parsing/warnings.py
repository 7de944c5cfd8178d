"""Parse warnings, each tied to a line of the (converted) input and of one kind, so `check`
can tell a missing field from a suspicious URL without reading the message."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class WarningKind(enum.StrEnum):
    STRUCTURE = "structure"  # text outside the grammar, ignored or taken as something else
    MISSING = "missing"  # a section, field, title, date or coverage is absent or empty
    COUNT = "count"  # a heading promises another number of items than it has
    NO_URL = "no-url"  # a source without a URL
    BAD_SCHEME = "bad-scheme"  # javascript:, mailto: … as a source
    URL_SPACES = "url-spaces"  # whitespace inside a URL
    CUT_OFF = "cut-off"  # "(<https://a.example/x-" and the line ends: the URL may be cut off
    HOST_WITHOUT_DOT = "host-without-dot"  # https://press-release-details/…
    PLAIN_HTTP = "plain-http"  # http:// where readers expect https://
    NAME_FRAGMENT = "name-fragment"  # "le | Gemma 4": a name cut off at the front
    DUPLICATE_URL = "duplicate-url"  # one URL given to two different names
    LIMIT = "limit"  # more than the input caps allow


@dataclass(frozen=True, slots=True, order=True)
class ParseWarning:
    line: int
    message: str
    kind: WarningKind = WarningKind.STRUCTURE

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class WarningLog:
    """De-duplicated warnings, reported in line order."""

    def __init__(self) -> None:
        self._items: dict[tuple[int, str], ParseWarning] = {}  # a dict: O(1) de-duplication

    def add(self, line: int, message: str, kind: WarningKind = WarningKind.STRUCTURE) -> None:
        warning = ParseWarning(max(line, 1), message, kind)
        self._items.setdefault((warning.line, message), warning)

    def warnings(self) -> tuple[ParseWarning, ...]:
        """In line order (stable within a line), so a reader can walk the file top to bottom."""
        return tuple(sorted(self._items.values(), key=lambda w: w.line))

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(str(w) for w in self.warnings())


__all__ = ["ParseWarning", "WarningKind", "WarningLog"]
