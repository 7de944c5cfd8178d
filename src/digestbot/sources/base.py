"""What every source answers: "is the issue for this date out yet, and what are its bytes?"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FetchedIssue:
    data: bytes
    filename: str  # tells the parser the format (.txt/.md/.html); may be a URL path
    origin: str  # where it came from, for messages to the operator


class SourceError(Exception):
    """The source could not be asked (unreachable, 5xx, unreadable folder): try again later."""


class IssueSource(Protocol):
    async def fetch(self, date: dt.date) -> FetchedIssue | None:
        """The issue published for `date`, or None while it is not out yet."""
        ...

    async def aclose(self) -> None: ...


__all__ = ["FetchedIssue", "IssueSource", "SourceError"]
