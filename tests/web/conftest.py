"""A SQLite store, the site over it, and an HTTP client speaking to the real Starlette app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from digestbot.rendering import Renderer
from digestbot.server import Metrics, build_app
from digestbot.store import Store, open_store
from digestbot.web import IssueCatalog, Site, SitePages
from tests.fakes.fixtures import smtp_fake, telegram_fake  # noqa: F401
from tests.server.harness import FixedIssues
from tests.web.browser import browser  # noqa: F401
from tests.web.signup_env import signup_env  # noqa: F401


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'digestbot.db'}")
    yield s
    s.close()


def make_site(
    store: Store, base_url: str | None = None, templates: Path | None = None, signup: bool = True
) -> Site:
    return Site(IssueCatalog(store), SitePages(templates), base_url=base_url, signup=signup)


def app_for(store: Store, site: Site) -> Starlette:
    """The whole server app (no Slack secret, no email) with the readers' web on it."""
    return build_app(
        store=store,
        renderer=Renderer(),
        issues=FixedIssues(None),
        slack_signing_secret=None,
        unsubscribe_secret=None,
        metrics=Metrics(),
        site=site,
    )


def client_for(store: Store, site: Site) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app_for(store, site)), base_url="http://digest.test"
    )


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(store, make_site(store)) as c:
        yield c
