"""The whole site as documents: what `/`, `/issues/`, `/issues/DATE` and `/feed.xml` hold.

The server answers requests from here and the static export writes the same documents to
files, so the two never drift apart. Rendered documents are cached by the versions they show
(issue sha256s and neighbours), so a busy morning renders each page once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from digestbot.store import ArchivedVersion
from digestbot.web.catalog import IssueCatalog, versions_tag
from digestbot.web.feed import EMPTY_FEED_UPDATED, FEED_ISSUES, FEED_MEDIA_TYPE, atom_feed
from digestbot.web.links import ARCHIVE, HOME, PageLinks, Style, issue_path
from digestbot.web.pages import SitePages

HTML = "text/html; charset=utf-8"
RENDER_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    media_type: str
    last_modified: dt.datetime
    status: int = 200


def _neighbours(
    versions: Sequence[ArchivedVersion], index: int
) -> tuple[dt.date | None, dt.date | None]:
    """(newer, older) issue dates around versions[index] (newest first)."""
    newer = versions[index - 1].issue_date if index > 0 else None
    older = versions[index + 1].issue_date if index + 1 < len(versions) else None
    return newer, older


class Site:
    def __init__(
        self,
        catalog: IssueCatalog,
        pages: SitePages,
        *,
        base_url: str | None,
        signup: bool,
        zone: dt.tzinfo = dt.UTC,
        style: Style = "served",
    ) -> None:
        self.catalog = catalog
        self.pages = pages
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.signup = signup
        self.zone = zone
        self.style = style
        self._cache: OrderedDict[Hashable, Document] = OrderedDict()
        self._lock = threading.Lock()

    def links(self, here: str) -> PageLinks:
        return PageLinks(here, self.style, self.base_url, self.signup)

    # --- documents ----------------------------------------------------------------------

    def home(self) -> Document:
        """The latest issue (with links as seen from the site's root)."""
        versions = self.catalog.versions()
        if not versions:
            return self._nothing_yet()
        return self._issue_document(HOME, versions, 0)

    def issue(self, day: dt.date) -> Document:
        versions = self.catalog.versions()
        for index, version in enumerate(versions):
            if version.issue_date == day:
                return self._issue_document(issue_path(day), versions, index)
        return self.not_found(issue_path(day))

    def archive(self) -> Document:
        versions = self.catalog.versions()

        def render() -> bytes:
            issues = self.catalog.issues(versions)
            return self.pages.archive(issues, self.links(ARCHIVE)).encode()

        key = ("archive", versions_tag(versions))
        return self._cached(key, render, HTML, _last_modified(versions))

    def feed(self, base_url: str | None = None) -> Document:
        """The Atom feed; `base_url` stands in for a missing `[site] base_url` (the request's)."""
        base = self.base_url or base_url
        if base is None:
            raise ValueError("the feed needs absolute links: set [site] base_url")
        versions = self.catalog.versions(limit=FEED_ISSUES)

        def render() -> bytes:
            return atom_feed(self.catalog.issues(versions), self.pages, base, self.zone)

        key = ("feed", base, versions_tag(versions))
        return self._cached(key, render, FEED_MEDIA_TYPE, _last_modified(versions))

    def not_found(self, here: str) -> Document:
        body = self.pages.notice(
            "找不到这一页",
            ["这一天没有发布日报，或链接有误。"],
            self.links(here),
            action={"href": self.links(here).archive, "label": "查看全部往期"},
        )
        return Document(body.encode(), HTML, EMPTY_FEED_UPDATED, status=404)

    # --- helpers ------------------------------------------------------------------------

    def _issue_document(
        self, here: str, versions: Sequence[ArchivedVersion], index: int
    ) -> Document:
        version = versions[index]
        newer, older = _neighbours(versions, index)

        def render() -> bytes:
            web = self.catalog.issue(version.issue_date)
            if web is None:  # removed since the listing
                return self.not_found(here).body
            return self.pages.issue(web, self.links(here), newer, older).encode()

        key = ("issue", here, version.sha256, newer, older)
        return self._cached(key, render, HTML, version.published_at)

    def _nothing_yet(self) -> Document:
        body = self.pages.notice(
            self.pages.site_name, ["还没有已发布的日报，请稍后再来。"], self.links(HOME)
        )
        return Document(body.encode(), HTML, EMPTY_FEED_UPDATED)

    def _cached(
        self,
        key: Hashable,
        render: Callable[[], bytes],
        media_type: str,
        last_modified: dt.datetime,
    ) -> Document:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        document = Document(render(), media_type, last_modified)
        with self._lock:
            self._cache[key] = document
            while len(self._cache) > RENDER_CACHE_SIZE:
                self._cache.popitem(last=False)
        return document


def _last_modified(versions: Sequence[ArchivedVersion]) -> dt.datetime:
    return max((v.published_at for v in versions), default=EMPTY_FEED_UPDATED)


__all__ = ["HTML", "Document", "Site"]
