"""The Atom feed of the latest issues, built with feedgen: full content, stable entry ids."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from digestbot.web.catalog import WebIssue
from digestbot.web.links import FEED, HOME, absolute, issue_path
from digestbot.web.pages import SitePages, description, issue_title

FEED_ISSUES = 30
FEED_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
# An empty feed still needs an `updated`; a constant keeps its bytes (and ETag) stable.
EMPTY_FEED_UPDATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def entry_id(day: dt.date) -> str:
    """The id an issue keeps forever: the same after a correction, a new host or a restart
    (Atom readers use it to tell a new entry from an updated one)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:digestbot:issue:{day.isoformat()}").urn


def atom_feed(
    issues: Sequence[WebIssue], pages: SitePages, base_url: str, zone: dt.tzinfo = dt.UTC
) -> bytes:
    """The feed document for `issues` (newest first), every link absolute under `base_url`.
    `zone` is the issues' timezone: an issue is published at the start of its own day."""
    fg = FeedGenerator()
    fg.id(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:digestbot:feed:{pages.site_name}").urn)
    fg.title(pages.site_name)
    fg.subtitle("每日 AI 产业要闻：三条结论、五大事件与全文。")
    fg.language("zh-CN")
    fg.author({"name": pages.site_name})
    fg.link(href=absolute(base_url, HOME), rel="alternate", type="text/html")
    fg.link(href=absolute(base_url, FEED), rel="self", type="application/atom+xml")
    fg.updated(max((w.published_at for w in issues), default=EMPTY_FEED_UPDATED))
    for web in issues:
        entry = fg.add_entry(order="append")
        entry.id(entry_id(web.date))
        entry.title(issue_title(web, pages.site_name))
        entry.link(href=absolute(base_url, issue_path(web.date)), rel="alternate", type="text/html")
        # `published` is the issue's day; `updated` moves when a corrected version replaces it.
        entry.published(dt.datetime.combine(web.date, dt.time(), tzinfo=zone))
        entry.updated(web.published_at)
        entry.summary(description(web.issue))
        entry.content(pages.article(web.issue), type="html")
    data: bytes = fg.atom_str(pretty=True)
    return data


__all__ = ["EMPTY_FEED_UPDATED", "FEED_ISSUES", "FEED_MEDIA_TYPE", "atom_feed", "entry_id"]
