"""/feed.xml: an Atom feed feedparser reads, the newest 30 issues, full content, stable ids."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import feedparser
import httpx

from digestbot.store import Store
from digestbot.web import IssueCatalog, Site, SitePages, entry_id
from tests.web.archive import dated_sample, publish_samples
from tests.web.conftest import client_for, make_site

FIRST = dt.date(2026, 3, 1)
DAYS = [FIRST + dt.timedelta(days=n) for n in range(32)]


async def test_the_feed_holds_the_newest_30_issues_with_full_content(
    store: Store, client: httpx.AsyncClient
) -> None:
    issues = publish_samples(store, DAYS)
    response = await client.get("/feed.xml")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.language == "zh-CN"
    newest_first = sorted(DAYS, reverse=True)[:30]
    assert [e.link for e in feed.entries] == [
        f"http://digest.test/issues/{d.isoformat()}" for d in newest_first
    ]
    assert [e.id for e in feed.entries] == [entry_id(d) for d in newest_first]
    assert len({e.id for e in feed.entries}) == 30
    for entry, day in zip(feed.entries, newest_first, strict=True):
        issue = issues[day]
        assert entry.title == f"{issue.title} · {day.isoformat()}"
        (content,) = entry.content
        assert content.type == "text/html"
        for text in (*issue.conclusions, *(e.title for e in issue.events)):
            assert text in content.value
        for source in (s for e in issue.events for s in e.sources):
            assert f'href="{source.url.replace("&", "&amp;")}"' in content.value
        assert issue.conclusions[0] in entry.summary
        updated = dt.datetime(*entry.updated_parsed[:6], tzinfo=dt.UTC)
        stored = store.get_issue(day)
        assert stored is not None
        assert updated == stored.published_at.replace(microsecond=0)
    self_link = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_link == ["http://digest.test/feed.xml"]


async def test_entry_ids_survive_a_correction_a_new_host_and_a_restart(store: Store) -> None:
    day = DAYS[0]
    publish_samples(store, [day])
    async with client_for(store, make_site(store)) as client:
        before = feedparser.parse((await client.get("/feed.xml")).content).entries[0]
    store.add_revision(day, "x.txt", dated_sample(day).replace("推理".encode(), "推断".encode()))
    site = make_site(store, "https://digest.example.org/")
    async with client_for(store, site) as client:
        after = feedparser.parse((await client.get("/feed.xml")).content).entries[0]
    assert before.id == after.id == entry_id(day)
    assert after.link == f"https://digest.example.org/issues/{day.isoformat()}"
    assert "推断价格战" in after.content[0].value and "推断价格战" not in before.content[0].value
    assert after.updated_parsed >= before.updated_parsed


def test_an_issue_is_published_at_the_start_of_its_day_in_the_issue_timezone(
    store: Store,
) -> None:
    publish_samples(store, [DAYS[0]])
    site = Site(
        IssueCatalog(store),
        SitePages(),
        base_url="https://digest.example.org",
        signup=False,
        zone=ZoneInfo("Asia/Shanghai"),
    )
    entry = feedparser.parse(site.feed().body).entries[0]
    assert entry.published == "2026-03-01T00:00:00+08:00"


async def test_an_empty_feed_is_still_valid_atom(client: httpx.AsyncClient) -> None:
    feed = feedparser.parse((await client.get("/feed.xml")).content)
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []
