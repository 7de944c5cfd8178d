"""The issues that went out, as parsed `Issue`s: what /today answers with, on every platform."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from digestbot.bot.commands import CurrentIssue
from digestbot.model import Issue
from digestbot.parsing import ParseCache
from digestbot.store import ArchiveReader, StoredIssue


class ArchivedIssues:
    """`/today` answers from what was published: today's issue, else the latest one. The
    archive keeps bytes; their parses are kept in `parsed`, which `digestbot run` shares with
    the web pages."""

    def __init__(
        self, store: ArchiveReader, timezone: ZoneInfo, parsed: ParseCache | None = None
    ) -> None:
        self.store = store
        self.timezone = timezone
        self.parsed = parsed if parsed is not None else ParseCache()

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()

    async def current(self) -> CurrentIssue | None:
        today = self.today()
        stored = self.store.get_issue(today) or self.store.latest_issue(on_or_before=today)
        if stored is None:
            return None
        return CurrentIssue(self.parse(stored), is_today=stored.issue_date == today)

    async def published_on(self, day: dt.date) -> Issue | None:
        stored = self.store.get_issue(day)
        return None if stored is None else self.parse(stored)

    def parse(self, stored: StoredIssue) -> Issue:
        return self.parsed.parse(stored.sha256, stored.data, stored.filename)


__all__ = ["ArchivedIssues"]
