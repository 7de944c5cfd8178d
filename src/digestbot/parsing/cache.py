"""Archived issues parsed once per version: `/today`, the web pages and the daily publish read
the same bytes again and again, and share one cache of their parses.

Keyed by the sha256 of the bytes: the archive stores it with every revision, so a listing can
find a parse without reading the issue again, and a corrected issue (new bytes) is parsed
anew. Thread-safe: the web's request handlers run in worker threads."""

from __future__ import annotations

import threading
from collections import OrderedDict

from digestbot.model import Issue
from digestbot.parsing.api import parse_issue

# Parsed issues are small; a few years of daily issues fit, and the archive page needs them all.
PARSE_CACHE_SIZE = 2048


class ParseCache:
    def __init__(self, size: int = PARSE_CACHE_SIZE) -> None:
        self.size = size
        self._parsed: OrderedDict[str, Issue] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._parsed)

    def get(self, sha256: str) -> Issue | None:
        """The parse of the bytes with this digest, when it is still here."""
        with self._lock:
            issue = self._parsed.get(sha256)
            if issue is not None:
                self._parsed.move_to_end(sha256)
            return issue

    def parse(self, sha256: str, data: bytes, filename: str | None) -> Issue:
        """The parse of `data` (whose digest is `sha256`), from the cache when it is there."""
        issue = self.get(sha256)
        if issue is None:
            issue = parse_issue(data, filename=filename)
            with self._lock:
                self._parsed[sha256] = issue
                while len(self._parsed) > self.size:
                    self._parsed.popitem(last=False)
        return issue


__all__ = ["PARSE_CACHE_SIZE", "ParseCache"]
