"""The sign-up flow end to end in headless Chromium, wired from the config as `digestbot run`
wires it: fill the form → the confirmation mail arrives at the SMTP fake → open its link and
confirm → the subscriber is active → the next publish delivers to that address exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from digestbot.config import load_config
from digestbot.delivery import publish
from digestbot.model import Variant
from digestbot.rendering import Renderer
from digestbot.server import Metrics, build_app
from digestbot.signup.wiring import signup_desk
from digestbot.store import Status, open_store
from digestbot.web import IssueCatalog, Site, SitePages
from tests.delivery.harness import write_config
from tests.fakes._server import free_port
from tests.fakes.smtp_server import SmtpFake
from tests.server.harness import FixedIssues
from tests.web.archive import publish_samples
from tests.web.browser import WIDTHS, artifact
from tests.web.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
READER = "new.reader@example.org"
DAY = dt.date(2026, 4, 20)


def open_page(browser: Browser, url: str, width: int = 390) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


def test_sign_up_in_the_browser_then_the_next_publish_delivers_once(
    browser: Browser, smtp_fake: SmtpFake, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = write_config(tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}", smtp=smtp_fake)
    path.write_text(path.read_text() + f'\n[site]\nbase_url = "{base}"\n')
    config = load_config(path)
    store = open_store(config.store.url.get_secret_value())
    issue = publish_samples(store, [DAY])[DAY]
    pages = SitePages()
    desk = signup_desk(config, store, pages)
    assert desk is not None
    metrics = Metrics()
    app = build_app(
        store=store,
        renderer=Renderer(),
        issues=FixedIssues(None),
        slack_signing_secret=None,
        unsubscribe_secret="unused-here",
        metrics=metrics,
        site=Site(IssueCatalog(store), pages, base_url=base, signup=True),
        signup=desk,
    )
    with LiveServer(app, port=port):
        # The reader finds the form from the issue page.
        page, errors = open_page(browser, f"{base}/issues/{DAY.isoformat()}")
        page.get_by_role("link", name="邮件订阅").first.click()
        assert page.url == f"{base}/subscribe"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=artifact(f"subscribe-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 900})
        page.fill("#address", READER)
        page.check("#variant-full")
        page.get_by_role("button", name="订阅").click()
        page.wait_for_load_state()
        assert "请查收确认邮件" in page.inner_text("main")
        page.screenshot(path=artifact("subscribe-sent-390.png"))

        (mail,) = smtp_fake.messages_to(READER)
        assert mail.parsed["Subject"] == "请确认订阅《AI 前沿发展日报》"
        text = mail.parsed.get_body(("plain",))
        assert text is not None
        link = next(w for w in str(text.get_content()).split() if "/confirm?t=" in w)
        link = link[link.index("http") :].rstrip(")")
        assert link.startswith(f"{base}/confirm?t=")
        assert not store.get_subscriber("email", READER), "nothing until the link is used"

        page.goto(link)
        assert READER in page.inner_text("main")
        page.screenshot(path=artifact("confirm-390.png"))
        page.get_by_role("button", name="确认订阅").click()
        page.wait_for_load_state()
        assert "订阅成功" in page.inner_text("main")
        page.screenshot(path=artifact("confirmed-390.png"))
        row = store.get_subscriber("email", READER)
        assert row is not None and row.active and row.variant is Variant.FULL

        assert errors == [], errors
        # The same link again, and an altered one: refused, nothing changes.
        page.goto(link)
        assert "已经用过" in page.inner_text("main")
        page.goto(link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))
        assert "链接无效" in page.inner_text("main")
        # Asking again within ten minutes: the same answer, no second mail.
        page.goto(f"{base}/subscribe")
        page.fill("#address", READER)
        page.get_by_role("button", name="订阅").click()
        page.wait_for_load_state()
        assert "请查收确认邮件" in page.inner_text("main")
        assert len(smtp_fake.messages_to(READER)) == 1
        # Chromium logs the refusals' own statuses, and nothing else.
        assert [e.rsplit("status of ", 1)[-1] for e in errors] == [
            "409 (Conflict)",
            "400 (Bad Request)",
        ]
        page.context.close()

    async def publish_twice() -> None:
        for _ in range(2):
            await publish(issue, config, store, Renderer())

    # Playwright's sync API keeps an event loop on this thread; publish runs on its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, publish_twice()).result()
    digests = [m for m in smtp_fake.messages_to(READER) if m is not mail]
    assert len(digests) == 1, "exactly one digest, even after a second publish"
    assert "完整版" in str(digests[0].parsed["Subject"])
    assert store.summary(DAY)["email"][Status.SENT] == 1
    exposition = metrics.exposition().decode()
    assert 'digestbot_signup_requests_total{outcome="mailed"} 1.0' in exposition
    assert 'digestbot_signup_requests_total{outcome="quiet"} 1.0' in exposition
    assert 'digestbot_signup_requests_total{outcome="confirmed"} 1.0' in exposition
    store.close()
