"""Links between pages are relative, so the site works at a root, under a proxy prefix and as
files; each case is checked by resolving it the way a browser does."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

import pytest

from digestbot.issue_pages import issue_page_url
from digestbot.web import PageLinks

DAY = dt.date(2026, 4, 20)
PAGES = ["", "issues/", "issues/2026-04-19"]


@pytest.mark.parametrize("prefix", ["https://h.test/", "https://h.test/digest/"])
@pytest.mark.parametrize("here", PAGES)
def test_served_links_resolve_to_the_clean_urls_under_any_prefix(prefix: str, here: str) -> None:
    links = PageLinks(here, "served", None)
    page = prefix + here
    assert urljoin(page, links.home) == prefix
    assert urljoin(page, links.archive) == prefix + "issues/"
    assert urljoin(page, links.issue(DAY)) == prefix + "issues/2026-04-20"
    assert urljoin(page, links.feed) == prefix + "feed.xml"
    assert urljoin(page, links.subscribe or "") == prefix + "subscribe"


@pytest.mark.parametrize("base_url", ["https://h.test", "https://h.test/digest/"])
def test_a_digests_issue_link_is_the_page_the_site_serves(base_url: str) -> None:
    home = base_url.rstrip("/") + "/"
    assert issue_page_url(base_url, DAY) == urljoin(home, PageLinks("", "served", None).issue(DAY))
    assert issue_page_url("", DAY) is None  # no site: digests print no link
    assert issue_page_url(base_url, None) is None


@pytest.mark.parametrize("here", PAGES)
def test_static_links_resolve_to_files_and_sign_up_goes_to_the_service(here: str) -> None:
    links = PageLinks(here, "static", "https://svc.test/")
    files = {"": "index.html", "issues/": "issues/index.html"}
    page = "file:///site/" + files.get(here, here + ".html")
    assert urljoin(page, links.home) == "file:///site/index.html"
    assert urljoin(page, links.archive) == "file:///site/issues/index.html"
    assert urljoin(page, links.issue(DAY)) == "file:///site/issues/2026-04-20.html"
    assert urljoin(page, links.feed) == "file:///site/feed.xml"
    assert links.subscribe == "https://svc.test/subscribe"
    assert links.canonical() == "https://svc.test/" + here


def test_without_sign_up_no_page_offers_it() -> None:
    assert PageLinks("", "served", None, signup=False).subscribe is None
    assert PageLinks("", "static", None).subscribe is None, "no service to post to"
