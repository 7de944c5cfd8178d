"""Sources against a real local HTTP publisher that speaks ETag / Last-Modified like a CMS."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from digestbot.sources import (
    FeedSource,
    FolderSource,
    SourceError,
    UrlSource,
)

DAY = dt.date(2026, 4, 20)
ISSUE_HTML = "<html><body><article><h1>AI 前沿发展日报 | 2026-04-20</h1></article></body></html>"


class Publisher:
    """Publishes pages on demand; answers conditional GETs the way web servers do."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}  # path -> (body, content type)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail_next = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503)
        page = self.pages.get(request.path)
        if page is None:
            return web.Response(status=404)
        body, ctype = page
        etag = f'"{abs(hash(body))}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=body.encode(),
            headers={"ETag": etag, "Last-Modified": "Mon, 20 Apr 2026 00:40:00 GMT"},
            content_type=ctype,
            charset="utf-8",
        )


@pytest.fixture
async def publisher() -> AsyncIterator[tuple[Publisher, str]]:
    pub = Publisher()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", pub.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield pub, f"http://127.0.0.1:{server.port}"
    await server.close()


async def test_folder_source_finds_the_dated_file_and_nothing_before(tmp_path: Path) -> None:
    source = FolderSource(tmp_path)
    assert await source.fetch(DAY) is None
    (tmp_path / "2026-04-19.txt").write_text("yesterday")
    assert await source.fetch(DAY) is None, "yesterday's issue is never today's"
    (tmp_path / "2026-04-20.md").write_text("## today")
    fetched = await source.fetch(DAY)
    assert fetched is not None
    assert fetched.filename == "2026-04-20.md"
    assert fetched.data == b"## today"


async def test_folder_source_treats_an_empty_upload_as_not_yet_published(tmp_path: Path) -> None:
    (tmp_path / "2026-04-20.txt").write_bytes(b"  \n")
    assert await FolderSource(tmp_path).fetch(DAY) is None


async def test_folder_source_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        await FolderSource(tmp_path / "nope").fetch(DAY)


async def test_url_source_polls_with_conditional_get(publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    source = UrlSource(f"{base}/daily/{{date}}")
    try:
        assert await source.fetch(DAY) is None  # 404: not out yet
        pub.pages["/daily/2026-04-20"] = (ISSUE_HTML, "text/html")
        first = await source.fetch(DAY)
        second = await source.fetch(DAY)
    finally:
        await source.aclose()
    assert first is not None and second is not None
    assert first.filename == "2026-04-20.html"  # the format comes from the content type
    assert second.data == first.data
    assert source.fetcher.not_modified == 1
    assert pub.requests[-1][1].get("If-None-Match"), "the second poll must be conditional"


async def test_url_source_server_error_is_a_source_error(publisher: tuple[Publisher, str]) -> None:
    pub, base = publisher
    pub.fail_next = 1
    source = UrlSource(f"{base}/daily/{{date}}.txt")
    try:
        with pytest.raises(SourceError, match="HTTP 503"):
            await source.fetch(DAY)
    finally:
        await source.aclose()


async def test_url_template_without_date_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\{date\}"):
        UrlSource("https://example.org/latest.html")


def _feed(entries: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>AI 前沿发展日报</title>{entries}</feed>"""


async def test_feed_source_picks_todays_entry_in_the_issue_timezone(
    publisher: tuple[Publisher, str],
) -> None:
    pub, base = publisher
    # 2026-04-19T18:00Z is already 04-20 in Shanghai; the older entry must be ignored.
    pub.pages["/feed.xml"] = (
        _feed(
            f"""<entry><title>日报</title><updated>2026-04-18T22:00:00Z</updated>
            <link href="{base}/old.html"/></entry>
            <entry><title>日报</title><updated>2026-04-19T18:00:00Z</updated>
            <link href="{base}/today.html"/></entry>"""
        ),
        "application/atom+xml",
    )
    pub.pages["/today.html"] = (ISSUE_HTML, "text/html")
    source = FeedSource(f"{base}/feed.xml", ZoneInfo("Asia/Shanghai"))
    try:
        fetched = await source.fetch(DAY)
        missing = await source.fetch(dt.date(2026, 4, 21))
    finally:
        await source.aclose()
    assert fetched is not None and fetched.data.decode() == ISSUE_HTML
    assert missing is None


async def test_feed_entry_with_full_content_is_used_without_another_request(
    publisher: tuple[Publisher, str],
) -> None:
    pub, base = publisher
    body = "今日总览 " * 200
    pub.pages["/feed.xml"] = (
        _feed(
            f"""<entry><title>AI 前沿发展日报 | 2026 - 04 - 20</title>
            <updated>2026-04-20T00:30:00Z</updated>
            <content type="html">&lt;p&gt;{body}&lt;/p&gt;</content></entry>"""
        ),
        "application/atom+xml",
    )
    source = FeedSource(f"{base}/feed.xml", ZoneInfo("Asia/Shanghai"))
    try:
        fetched = await source.fetch(DAY)
    finally:
        await source.aclose()
    assert fetched is not None and "今日总览" in fetched.data.decode()
    assert [path for path, _ in pub.requests] == ["/feed.xml"]
