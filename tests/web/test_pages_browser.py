"""What a reader sees in a real browser (headless Chromium) at phone and desktop widths:
no console errors, no sideways scrolling, every conclusion, event title and source link of
the issue on the page. Screenshots land in test-artifacts/ (kept by CI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from digestbot.model import Issue
from digestbot.store import Store, open_store
from digestbot.web import IssueCatalog, Site, SitePages
from digestbot.web.export import export_site
from tests.web.archive import publish_samples, publish_seeds
from tests.web.browser import WIDTHS, artifact
from tests.web.conftest import app_for, make_site
from tests.web.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SAMPLE_DAY = dt.date(2026, 4, 20)


@dataclass
class Visit:
    page: Page
    console_errors: list[str]


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[dt.date, Issue]]]:
    store: Store = open_store(f"sqlite:///{tmp_path_factory.mktemp('web') / 'db.sqlite'}")
    issues = {**publish_seeds(store), **publish_samples(store, [SAMPLE_DAY])}
    app = app_for(store, make_site(store))
    with LiveServer(app) as server:
        yield server.url, issues
    store.close()


def visit(browser: Browser, url: str, width: int, dark: bool = False) -> Visit:
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme="dark" if dark else "light",
        java_script_enabled=True,  # on, so that a script error would show; pages have none
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return Visit(page, errors)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def hrefs(page: Page) -> set[str]:
    return set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"))


def assert_issue_visible(page: Page, issue: Issue) -> None:
    seen = page.inner_text("main")
    for conclusion in issue.conclusions:
        assert conclusion in seen
    headings = page.eval_on_selector_all("main h3", "els => els.map(e => e.innerText)")
    for event in issue.events:
        assert f"{event.rank}. {event.title}" in headings
    links = hrefs(page)
    sources = [s for e in issue.events for s in e.sources]
    sources += [s for item in (*issue.x_posts, *issue.research) for s in item.sources]
    missing = [s.url for s in sources if s.url not in links]
    assert sources and not missing, missing


@pytest.mark.parametrize("width", WIDTHS)
def test_every_issue_page_is_complete_and_fits_the_screen(
    browser: Browser,
    published: tuple[str, dict[dt.date, Issue]],
    width: int,
) -> None:
    base, issues = published
    for day, issue in sorted(issues.items()):
        visit_ = visit(browser, f"{base}/issues/{day.isoformat()}", width)
        page = visit_.page
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.locator("h1").count() == 1
        assert horizontal_overflow(page) <= 0, f"{day} scrolls sideways at {width}px"
        assert_issue_visible(page, issue)
        page.screenshot(path=artifact(f"issue-{day.isoformat()}-{width}.png"), full_page=True)
        # The first card alone, legible at its real size: title, fields and source links.
        page.locator("#event-1").screenshot(path=artifact(f"card-{day.isoformat()}-{width}.png"))
        assert visit_.console_errors == [], visit_.console_errors
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_home_and_archive_are_complete_and_fit_the_screen(
    browser: Browser,
    published: tuple[str, dict[dt.date, Issue]],
    width: int,
) -> None:
    base, issues = published
    latest = max(issues)
    home = visit(browser, f"{base}/", width)
    assert_issue_visible(home.page, issues[latest])
    assert horizontal_overflow(home.page) <= 0
    home.page.screenshot(path=artifact(f"home-{width}.png"), full_page=True)
    assert home.console_errors == []
    home.page.context.close()

    archive = visit(browser, f"{base}/issues/", width)
    page = archive.page
    assert horizontal_overflow(page) <= 0
    seen = page.inner_text("main")
    for day, issue in issues.items():
        assert day.isoformat() in seen
        for conclusion in issue.conclusions:
            assert conclusion in seen
    page.locator("article h3 a").first.click()
    assert page.url == f"{base}/issues/{latest.isoformat()}"
    page.go_back()
    page.screenshot(path=artifact(f"archive-{width}.png"), full_page=True)
    assert archive.console_errors == []
    page.context.close()


def test_dark_mode_follows_the_reader_s_system_setting(
    browser: Browser,
    published: tuple[str, dict[dt.date, Issue]],
) -> None:
    base, _ = published
    colours = {}
    for dark in (False, True):
        v = visit(browser, f"{base}/", 390, dark=dark)
        colours[dark] = v.page.evaluate("getComputedStyle(document.body).backgroundColor")
        if dark:
            v.page.screenshot(path=artifact("home-390-dark.png"), full_page=False)
        v.page.context.close()
    assert colours[False] == "rgb(255, 255, 255)"
    assert colours[True] == "rgb(13, 17, 23)"


def test_the_static_export_opened_from_disk_navigates_without_errors(
    browser: Browser,
    published: tuple[str, dict[dt.date, Issue]],
    tmp_path: Path,
) -> None:
    _, issues = published
    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    publish_seeds(store)
    publish_samples(store, [SAMPLE_DAY])
    site = Site(
        IssueCatalog(store),
        SitePages(),
        base_url="https://digest.example.org",
        signup=False,
        style="static",
    )
    export_site(site, tmp_path / "site")
    store.close()
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((tmp_path / "site" / "index.html").as_uri())
    page.get_by_role("link", name="往期", exact=True).click()
    assert page.url.endswith("/site/issues/index.html")
    oldest = min(issues)
    page.locator(f'a[href="{oldest.isoformat()}.html"]').click()
    assert page.url.endswith(f"/site/issues/{oldest.isoformat()}.html")
    assert_issue_visible(page, issues[oldest])
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=artifact("static-issue-390.png"))
    assert errors == []
    context.close()
