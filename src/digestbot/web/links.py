"""Where each page lives, and links between pages that work wherever the site is mounted.

Links between pages are relative, so the same pages work at the root of a host, behind a
reverse proxy's path prefix, and as files of a static export. Served pages use clean URLs
(`issues/2026-04-20`); the static export uses file names (`issues/2026-04-20.html`) so it also
works opened from disk. Absolute URLs (canonical, OpenGraph, feed) come from `[site] base_url`
or, when serving without one, from the request."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass

from digestbot.issue_pages import Style, issue_path

HOME = ""
ARCHIVE = "issues/"
FEED = "feed.xml"
SUBSCRIBE = "subscribe"


def site_path(target: str, style: Style) -> str:
    """A served path as the static export names its file (`issues/` → `issues/index.html`)."""
    if style == "served" or target == FEED:
        return target
    if target == HOME or target.endswith("/"):
        return f"{target}index.html"
    return target if target.endswith(".html") else f"{target}.html"


def relative(from_path: str, to_path: str) -> str:
    """The relative URL from the page at `from_path` to `to_path` (both site paths: "" is
    the root, a trailing slash a folder)."""
    here = posixpath.dirname(from_path)
    folder, _, name = to_path.rpartition("/")
    up = posixpath.relpath(folder or ".", here or ".")
    link = name if up == "." else f"{up}/{name}"
    return link or "./"


def absolute(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}"


@dataclass(frozen=True, slots=True)
class PageLinks:
    """The links one page needs, relative to where that page is. `base_url` is where the
    running service answers (absolute links, and the sign-up form in a static export)."""

    here: str  # this page's served path
    style: Style
    base_url: str | None
    signup: bool = True  # the service takes email sign-ups

    def _to(self, target: str) -> str:
        return relative(site_path(self.here, self.style), site_path(target, self.style))

    @property
    def home(self) -> str:
        return self._to(HOME)

    @property
    def archive(self) -> str:
        return self._to(ARCHIVE)

    @property
    def feed(self) -> str:
        return self._to(FEED)

    @property
    def subscribe(self) -> str | None:
        """The sign-up form: served here, or the running service's for a static export."""
        if not self.signup:
            return None
        if self.style == "served":
            return self._to(SUBSCRIBE)
        return absolute(self.base_url, SUBSCRIBE) if self.base_url else None

    def issue(self, day: dt.date) -> str:
        return self._to(issue_path(day))

    def canonical(self, path: str | None = None) -> str | None:
        """The absolute URL of `path` (this page when None) at the running service."""
        if not self.base_url:
            return None
        return absolute(self.base_url, self.here if path is None else path)


__all__ = [
    "ARCHIVE",
    "FEED",
    "HOME",
    "SUBSCRIBE",
    "PageLinks",
    "Style",
    "absolute",
    "issue_path",
    "relative",
    "site_path",
]
