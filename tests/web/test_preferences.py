"""Every digest mail links to the reader's own preferences page: change the variant, leave,
come back. Wired from the config as `digestbot run` wires it, mail through the SMTP fake."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from digestbot.config import Config, load_config
from digestbot.delivery import publish
from digestbot.model import Variant
from digestbot.rendering import Renderer
from digestbot.server import Metrics, build_app
from digestbot.signup.wiring import signup_desk
from digestbot.store import Store, open_store
from digestbot.web import SitePages
from tests.delivery.harness import write_config
from tests.fakes.smtp_server import SmtpFake
from tests.sample import DAY
from tests.server.harness import FixedIssues
from tests.web.archive import publish_samples
from tests.web.signup_env import hidden

BASE = "https://digest.example.org"
READER = "prefs.reader@example.org"
PREFERENCES_LINK = re.compile(r"https://digest\.example\.org/preferences\?t=[A-Za-z0-9_.\-]+")


def site_config(tmp_path: Path, smtp: SmtpFake) -> Config:
    path = write_config(tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}", smtp=smtp)
    path.write_text(path.read_text() + f'\n[site]\nbase_url = "{BASE}"\n')
    return load_config(path)


def client(config: Config, store: Store) -> httpx.AsyncClient:
    desk = signup_desk(config, store, SitePages())
    assert desk is not None
    app = build_app(
        store=store,
        renderer=Renderer(),
        issues=FixedIssues(None),
        slack_signing_secret=None,
        unsubscribe_secret="unused",
        metrics=Metrics(),
        signup=desk,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def preferences_link_of_a_digest(config: Config, store: Store, smtp: SmtpFake) -> str:
    issue = publish_samples(store, [DAY])[DAY]
    await publish(issue, config, store, Renderer(config.templates.dir))
    (mail,) = smtp.messages_to(READER)
    text = mail.parsed.get_body(("plain",))
    html = mail.parsed.get_body(("html",))
    assert text is not None and html is not None
    (link,) = set(PREFERENCES_LINK.findall(str(text.get_content())))
    assert link in str(html.get_content()).replace("&amp;", "&")
    return str(link)


@pytest.fixture
async def subscribed(
    tmp_path: Path, smtp_fake: SmtpFake
) -> AsyncIterator[tuple[Config, Store, str]]:
    """A top5 subscriber who received a digest: the config, the store, their footer link."""
    config = site_config(tmp_path, smtp_fake)
    store = open_store(config.store.url.get_secret_value())
    store.subscribe("email", READER, Variant.TOP5)
    yield config, store, await preferences_link_of_a_digest(config, store, smtp_fake)
    store.close()


async def test_a_reader_changes_the_variant_then_leaves_then_comes_back(
    subscribed: tuple[Config, Store, str],
) -> None:
    config, store, link = subscribed
    async with client(config, store) as browser:
        page = await browser.get(link)
        assert page.status_code == 200 and READER in page.text
        assert 'value="top5" checked' in page.text
        csrf, token = hidden(page.text, "csrf"), hidden(page.text, "t")
        saved = await browser.post(
            link, data={"csrf": csrf, "t": token, "variant": "full", "action": "save"}
        )
        row = store.get_subscriber("email", READER)
        assert saved.status_code == 200 and "已保存" in saved.text
        assert row is not None and row.active and row.variant is Variant.FULL
        left = await browser.post(
            link, data={"csrf": csrf, "t": token, "variant": "full", "action": "unsubscribe"}
        )
        row = store.get_subscriber("email", READER)
        assert "已退订" in left.text and row is not None and not row.active
        back = await browser.post(
            link, data={"csrf": csrf, "t": token, "variant": "top3", "action": "save"}
        )
        row = store.get_subscriber("email", READER)
        assert back.status_code == 200 and row is not None and row.active
        assert row.variant is Variant.TOP3


async def test_a_tampered_preferences_link_or_missing_csrf_changes_nothing(
    subscribed: tuple[Config, Store, str],
) -> None:
    config, store, link = subscribed
    token = link.split("t=")[1]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    async with client(config, store) as browser:
        page = await browser.get(link)
        csrf = hidden(page.text, "csrf")
        bad_link = await browser.get("/preferences", params={"t": forged})
        bad_post = await browser.post(
            "/preferences", data={"csrf": csrf, "t": forged, "action": "unsubscribe"}
        )
        no_csrf = await browser.post("/preferences", data={"t": token, "action": "unsubscribe"})
    assert bad_link.status_code == 400 and bad_post.status_code == 400
    assert no_csrf.status_code == 403
    row = store.get_subscriber("email", READER)
    assert row is not None and row.active and row.variant is Variant.TOP5


def test_without_a_site_the_footer_link_falls_back_to_unsubscribe(
    tmp_path: Path, smtp_fake: SmtpFake
) -> None:
    path = write_config(tmp_path, store_url=f"sqlite:///{tmp_path / 'db.sqlite'}", smtp=smtp_fake)
    config = load_config(path)
    assert not config.signup_available()
    store = open_store(config.store.url.get_secret_value())
    assert signup_desk(config, store, SitePages()) is None
    store.close()
