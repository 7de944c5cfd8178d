"""The published issues as the web shows them: read from the archive (the bytes that went out),
parsed once per version (in the process's one `ParseCache`), newest first."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from digestbot.model import Issue
from digestbot.parsing import ParseCache
from digestbot.store import ArchivedVersion, StoredIssue


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
    """Thread-safe: request handlers call it from worker threads. `parsed` is shared with
    `/today` in `digestbot run`."""

    def __init__(self, archive: IssueArchive, parsed: ParseCache | None = None) -> None:
        self.archive = archive
        self.parsed = parsed if parsed is not None else ParseCache()

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
            issue = self.parsed.get(version.sha256)
            if issue is None:
                web = self.issue(version.issue_date)
                if web is not None:  # replaced or removed since the listing: take what is there
                    found.append(web)
                continue
            found.append(WebIssue(version.issue_date, issue, version.sha256, version.published_at))
        return found

    def _web_issue(self, stored: StoredIssue) -> WebIssue:
        issue = self.parsed.parse(stored.sha256, stored.data, stored.filename)
        return WebIssue(stored.issue_date, issue, stored.sha256, stored.published_at)


def versions_tag(versions: Sequence[ArchivedVersion]) -> str:
    """A short digest naming exactly this set of versions (an archive page's identity)."""
    digest = hashlib.sha256()
    for v in versions:
        digest.update(f"{v.issue_date.isoformat()}:{v.sha256}\n".encode("ascii"))
    return digest.hexdigest()


__all__ = ["IssueArchive", "IssueCatalog", "WebIssue", "versions_tag"]
