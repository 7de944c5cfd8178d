"""An RSS/Atom feed whose entries are issues: today's is the entry dated today (in the issue
timezone) or whose title carries today's date. Its content is used when the feed carries the
full text; otherwise the entry's link is fetched."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import feedparser

from digestbot.sources.base import FetchedIssue
from digestbot.sources.http import ConditionalFetcher

_DATE_IN_TEXT = re.compile(r"(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})")


class FeedSource:
    def __init__(
        self, url: str, timezone: ZoneInfo, fetcher: ConditionalFetcher | None = None
    ) -> None:
        self.url = url
        self.timezone = timezone
        self.fetcher = fetcher or ConditionalFetcher()

    async def fetch(self, date: dt.date) -> FetchedIssue | None:
        feed_doc = await self.fetcher.get(self.url)
        if feed_doc is None:
            return None
        parsed = feedparser.parse(feed_doc.data)
        for entry in parsed.entries:
            if self._entry_date(entry) != date:
                continue
            content = entry.get("content") or []
            body = content[0].get("value", "") if content else entry.get("summary", "")
            if len(body) > 500:  # the feed carries the full issue
                return FetchedIssue(body.encode("utf-8"), "entry.html", f"{feed_doc.origin}#entry")
            link = entry.get("link")
            if link:
                return await self.fetcher.get(str(link))
        return None

    def _entry_date(self, entry: feedparser.FeedParserDict) -> dt.date | None:
        match = _DATE_IN_TEXT.search(str(entry.get("title", "")))
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp is None:
            return None
        year, month, day, hour, minute, second = stamp[:6]
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        return moment.astimezone(self.timezone).date()

    async def aclose(self) -> None:
        await self.fetcher.aclose()


__all__ = ["FeedSource"]
