"""The issues that went out, as parsed `Issue`s: what /today answers with, on every platform."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from digestbot.bot.commands import CurrentIssue
from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.store import ArchiveReader, StoredIssue


class ArchivedIssues:
    """`/today` answers from what was published: today's issue, else the latest one. The
    archive keeps bytes; the parse of the one asked for is kept, keyed by its sha256."""

    def __init__(self, store: ArchiveReader, timezone: ZoneInfo) -> None:
        self.store = store
        self.timezone = timezone
        self._parsed: dict[tuple[dt.date, str], Issue] = {}

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
        key = (stored.issue_date, stored.sha256)
        issue = self._parsed.get(key)
        if issue is None:
            issue = parse_issue(stored.data, filename=stored.filename)
            self._parsed = {key: issue}  # one entry: today's issue is what is asked for
        return issue


__all__ = ["ArchivedIssues"]
