"""The published issues as the web shows them: read from the archive (the bytes that went out),
parsed once per version (cached by sha256), newest first."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.store import ArchivedVersion, StoredIssue

# Parsed issues are small; a few years of daily issues fit, and the archive page needs them all.
PARSE_CACHE_SIZE = 2048


class IssueArchive(Protocol):
    """The part of the store the web reads."""

    def get_issue(self, issue_date: dt.date) -> StoredIssue | None: ...

    def list_issues(self, limit: int | None = None) -> list[ArchivedVersion]: ...


@dataclass(frozen=True, slots=True)
class WebIssue:
    """One published issue, parsed, with what identifies the version that went out."""

    date: dt.date
    issue: Issue
    sha256: str
    published_at: dt.datetime


class IssueCatalog:
    """Thread-safe: request handlers call it from worker threads."""

    def __init__(self, archive: IssueArchive) -> None:
        self.archive = archive
        self._parsed: OrderedDict[str, Issue] = OrderedDict()
        self._lock = threading.Lock()

    def versions(self, limit: int | None = None) -> list[ArchivedVersion]:
        """What is published, newest first: one small query, no issue bytes."""
        return self.archive.list_issues(limit)

    def issue(self, day: dt.date) -> WebIssue | None:
        stored = self.archive.get_issue(day)
        return None if stored is None else self._web_issue(stored)

    def latest(self) -> WebIssue | None:
        versions = self.versions(limit=1)
        return self.issue(versions[0].issue_date) if versions else None

    def issues(self, versions: Sequence[ArchivedVersion]) -> list[WebIssue]:
        """The parsed issues of `versions` (in their order); only uncached ones are read."""
        found = []
        for version in versions:
            issue = self._cached(version.sha256)
            if issue is None:
                web = self.issue(version.issue_date)
                if web is not None:  # replaced or removed since the listing: take what is there
                    found.append(web)
                continue
            found.append(WebIssue(version.issue_date, issue, version.sha256, version.published_at))
        return found

    def _cached(self, sha256: str) -> Issue | None:
        with self._lock:
            issue = self._parsed.get(sha256)
            if issue is not None:
                self._parsed.move_to_end(sha256)
            return issue

    def _web_issue(self, stored: StoredIssue) -> WebIssue:
        issue = self._cached(stored.sha256)
        if issue is None:
            issue = parse_issue(stored.data, filename=stored.filename)
            with self._lock:
                self._parsed[stored.sha256] = issue
                while len(self._parsed) > PARSE_CACHE_SIZE:
                    self._parsed.popitem(last=False)
        return WebIssue(stored.issue_date, issue, stored.sha256, stored.published_at)


def versions_tag(versions: Sequence[ArchivedVersion]) -> str:
    """A short digest naming exactly this set of versions (an archive page's identity)."""
    digest = hashlib.sha256()
    for v in versions:
        digest.update(f"{v.issue_date.isoformat()}:{v.sha256}\n".encode("ascii"))
    return digest.hexdigest()


__all__ = ["PARSE_CACHE_SIZE", "IssueArchive", "IssueCatalog", "WebIssue", "versions_tag"]
