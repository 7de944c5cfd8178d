"""The readers' web on the service: pages from the archive, the archive by month, 404s,
redirects to the canonical form, template overrides and conditional GET."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from bs4 import BeautifulSoup

from digestbot.store import Store
from tests.web.archive import dated_sample, publish_samples
from tests.web.conftest import client_for, make_site

APR19, APR20, MAY02 = dt.date(2026, 4, 19), dt.date(2026, 4, 20), dt.date(2026, 5, 2)


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def test_an_issue_page_shows_the_archived_issue_with_every_section_and_source(
    store: Store, client: httpx.AsyncClient
) -> None:
    issue = publish_samples(store, [APR20])[APR20]
    response = await client.get("/issues/2026-04-20")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = soup(response)
    html = page.find("html")
    assert html is not None and html["lang"] == "zh-CN"
    assert not page.find_all("script"), "no JavaScript"
    assert [h.get_text() for h in page.find_all("h1")] == [issue.title]
    h2 = [h.get_text() for h in page.find_all("h2")]
    assert h2 == ["今日总览", "今日三条结论", "今日 Top 5 大事件", "商业与应用解读",
                  "X 平台高信号观点", "前沿研究速递"]  # fmt: skip
    text = page.get_text()
    for conclusion in issue.conclusions:
        assert conclusion in text
    titles = [h.get_text() for h in page.find_all("h3")]
    for event in issue.events:
        assert f"{event.rank}. {event.title}" in titles
    hrefs = {a["href"] for a in page.find_all("a")}
    every_source = [s for e in issue.events for s in e.sources] + [
        s for item in (*issue.x_posts, *issue.research) for s in item.sources
    ]
    assert every_source and all(s.url in hrefs for s in every_source)


async def test_an_issue_page_unfurls_with_its_title_and_three_conclusions(
    store: Store, tmp_path: Path
) -> None:
    issue = publish_samples(store, [APR20])[APR20]
    async with client_for(store, make_site(store, "https://digest.example.org")) as client:
        page = soup(await client.get("/issues/2026-04-20"))
    meta = {
        (m.get("property") or m.get("name")): m["content"]
        for m in page.find_all("meta")
        if m.get("content")
    }
    assert meta["og:title"] == meta["twitter:title"] == f"{issue.title} · 2026-04-20"
    for conclusion in issue.conclusions:
        assert conclusion in meta["og:description"]
        assert conclusion in meta["twitter:description"]
    assert meta["og:url"] == "https://digest.example.org/issues/2026-04-20"
    assert meta["og:type"] == "article"
    canonical = page.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == meta["og:url"]


async def test_root_is_the_latest_issue_and_links_back_through_the_archive(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR19, APR20])
    home = await client.get("/")
    assert home.status_code == 200
    assert "推理价格战已经开始（2026-04-20）" in home.text
    page = soup(home)
    prev = page.find("a", rel="prev")
    assert prev is not None and prev["href"] == "issues/2026-04-19"
    older = await client.get(httpx.URL("http://digest.test/").join(prev["href"]))
    assert older.status_code == 200 and "（2026-04-19）" in older.text
    newer = soup(older).find("a", rel="next")
    assert newer is not None and newer["href"] == "2026-04-20"


async def test_the_archive_lists_issues_newest_first_by_month_with_their_conclusions(
    store: Store, client: httpx.AsyncClient
) -> None:
    issues = publish_samples(store, [APR19, MAY02, APR20])
    response = await client.get("/issues/")
    page = soup(response)
    assert [h.get_text() for h in page.find_all("h2")] == ["2026 年 5 月", "2026 年 4 月"]
    dates = [t["datetime"] for t in page.select("article h3 time")]
    assert dates == ["2026-05-02", "2026-04-20", "2026-04-19"]
    links = [a["href"] for a in page.select("article h3 a")]
    assert links == ["2026-05-02", "2026-04-20", "2026-04-19"]
    cards = page.select("article.card")
    for card, day in zip(cards, [MAY02, APR20, APR19], strict=True):
        assert [li.get_text() for li in card.select("li")] == list(issues[day].conclusions)


async def test_an_empty_archive_says_so_and_the_root_does_not_fail(
    client: httpx.AsyncClient,
) -> None:
    home = await client.get("/")
    archive = await client.get("/issues/")
    assert home.status_code == 200 and "还没有已发布的日报" in home.text
    assert archive.status_code == 200 and "还没有已发布的日报" in archive.text


async def test_unknown_or_malformed_dates_are_not_found_pages(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR20])
    for path in ("/issues/2026-04-21", "/issues/2026-4-20", "/issues/latest", "/issues/20260420"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "找不到这一页" in response.text and "<h1>" in response.text


async def test_paths_without_their_canonical_slash_redirect(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR20])
    folder = await client.get("/issues")
    assert folder.status_code == 301 and folder.headers["location"].endswith("/issues/")
    page = await client.get("/issues/2026-04-20/")
    assert page.status_code == 301
    assert page.headers["location"].endswith("/issues/2026-04-20")


async def test_the_page_shows_the_archived_bytes_and_follows_a_correction(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR20])
    first = await client.get("/issues/2026-04-20")
    corrected = dated_sample(APR20).replace("推理价格战".encode(), "推理价格大战".encode(), 1)
    store.add_revision(APR20, "2026-04-20.txt", corrected)
    second = await client.get("/issues/2026-04-20")
    assert "推理价格大战已经开始" not in first.text
    assert "推理价格大战已经开始" in second.text
    assert first.headers["etag"] != second.headers["etag"]


async def test_conditional_get_answers_304_without_a_body(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR20])
    for path in ("/", "/issues/", "/issues/2026-04-20", "/feed.xml"):
        first = await client.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.status_code == 200 and etag.startswith('"')
        assert "public" in first.headers["cache-control"]
        by_tag = await client.get(path, headers={"If-None-Match": etag})
        weak = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
        by_date = await client.get(path, headers={"If-Modified-Since": modified})
        stale_tag = await client.get(
            path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
        )
        earlier = await client.get(
            path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
        )
        assert (by_tag.status_code, by_tag.content) == (304, b""), path
        assert weak.status_code == 304 and by_date.status_code == 304, path
        assert by_tag.headers["etag"] == etag
        assert stale_tag.status_code == 200, "If-None-Match decides when both are sent"
        assert earlier.status_code == 200 and earlier.content == first.content


async def test_a_new_issue_changes_the_archive_and_feed_validators(
    store: Store, client: httpx.AsyncClient
) -> None:
    publish_samples(store, [APR19])
    before = {p: (await client.get(p)).headers["etag"] for p in ("/", "/issues/", "/feed.xml")}
    publish_samples(store, [APR20])
    for path, etag in before.items():
        response = await client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200, path
        assert "（2026-04-20）" in response.text


async def test_an_operator_template_overrides_one_web_template(
    store: Store, tmp_path: Path
) -> None:
    publish_samples(store, [APR20])
    override = tmp_path / "templates" / "web"
    override.mkdir(parents=True)
    (override / "archive.html.j2").write_text(
        '{% extends "web/_layout.html.j2" %}{% block content %}<h1>我们的往期</h1>'
        "{% for month, issues in months %}{% for w in issues %}<p>{{ w.date }}</p>"
        "{% endfor %}{% endfor %}{% endblock %}",
        encoding="utf-8",
    )
    site = make_site(store, templates=tmp_path / "templates")
    async with client_for(store, site) as client:
        archive = await client.get("/issues/")
        issue = await client.get("/issues/2026-04-20")
    assert "<h1>我们的往期</h1>" in archive.text and "<p>2026-04-20</p>" in archive.text
    assert issue.status_code == 200 and "今日三条结论" in issue.text, "others stay built in"
