"""An issue published at a URL that contains its date, polled with conditional GETs so that
checking every few minutes costs the publisher a 304, not the whole page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from digestbot.sources.base import FetchedIssue, SourceError

_CONTENT_TYPE_EXT = {"text/html": ".html", "text/markdown": ".md", "text/plain": ".txt"}


@dataclass
class _Validators:
    etag: str | None
    last_modified: str | None
    body: bytes
    filename: str


class ConditionalFetcher:
    """GET with If-None-Match / If-Modified-Since, remembering validators per URL."""

    def __init__(self, client: httpx.AsyncClient | None = None, timeout: float = 20.0) -> None:
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self._cache: dict[str, _Validators] = {}
        self.not_modified = 0  # how many polls the publisher answered with 304

    async def get(self, url: str) -> FetchedIssue | None:
        headers: dict[str, str] = {}
        cached = self._cache.get(url)
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        try:
            response = await self._client.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise SourceError(f"{_safe(url)}: {type(exc).__name__}") from exc
        if response.status_code == 304 and cached is not None:
            self.not_modified += 1
            return FetchedIssue(cached.body, cached.filename, _safe(url))
        if response.status_code in (404, 410):
            return None
        if response.status_code >= 400:
            raise SourceError(f"{_safe(url)}: HTTP {response.status_code}")
        body = response.content
        if not body.strip():
            return None
        filename = _filename(url, response.headers.get("content-type", ""))
        self._cache[url] = _Validators(
            response.headers.get("etag"), response.headers.get("last-modified"), body, filename
        )
        return FetchedIssue(body, filename, _safe(url))

    async def aclose(self) -> None:
        await self._client.aclose()


class UrlSource:
    """`template` contains `{date}` (YYYY-MM-DD), e.g. https://example.org/daily/{date}.html."""

    def __init__(self, template: str, fetcher: ConditionalFetcher | None = None) -> None:
        if "{date}" not in template:
            raise ValueError("source.url must contain {date}")
        self.template = template
        self.fetcher = fetcher or ConditionalFetcher()

    async def fetch(self, date: dt.date) -> FetchedIssue | None:
        return await self.fetcher.get(self.template.replace("{date}", date.isoformat()))

    async def aclose(self) -> None:
        await self.fetcher.aclose()


def _filename(url: str, content_type: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if "." in name:
        return name
    mime = content_type.split(";", 1)[0].strip().lower()
    return (name or "issue") + _CONTENT_TYPE_EXT.get(mime, "")


def _safe(url: str) -> str:
    """The URL without query string or credentials, for messages (tokens hide in queries)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


__all__ = ["ConditionalFetcher", "UrlSource"]
