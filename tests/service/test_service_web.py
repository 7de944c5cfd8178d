"""`digestbot run` serves the readers' web on its one HTTP server, from what it published."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from digestbot.config import load_config
from digestbot.model import Issue
from digestbot.parsing import cache as parse_cache
from digestbot.service import Service
from digestbot.store import open_store
from tests.delivery.harness import write_config
from tests.fakes.telegram_server import TelegramFake
from tests.service.test_run_process import todays_issue
from tests.service.test_service import eventually


@asynccontextmanager
async def serving(
    tmp_path: Path, telegram_fake: TelegramFake
) -> AsyncIterator[tuple[Service, httpx.AsyncClient, dt.date]]:
    """The service running until today's issue is published, and a client of its web."""
    config_path = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("31", "top3")],
    )
    config_path.write_text(
        config_path.read_text()
        + '\n[schedule]\ntime = "00:00"\ndeadline = "23:59"\npoll_every = "1s"\n'
    )
    config = load_config(config_path)
    # Port 0: the server binds a free port and reports it through on_ready.
    config = config.model_copy(update={"server": config.server.model_copy(update={"port": 0})})
    today = todays_issue(tmp_path / "issues")
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    service = Service(config, store)
    bound: list[str] = []
    running = asyncio.create_task(service.run(on_ready=lambda h, p: bound.append(f"{h}:{p}")))
    try:
        await eventually(lambda: bool(bound) and store.get_issue(today) is not None)
        async with httpx.AsyncClient(base_url=f"http://{bound[0]}") as client:
            yield service, client, today
    finally:
        service.stop.set()
        await asyncio.wait_for(running, 30)
        store.close()


async def test_the_issue_it_published_is_on_its_web_pages_and_in_its_feed(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    async with serving(tmp_path, telegram_fake) as (_, client, today):
        page = await client.get(f"/issues/{today.isoformat()}")
        home = await client.get("/")
        feed = await client.get("/feed.xml")
    assert page.status_code == 200 and "今日三条结论" in page.text
    assert home.status_code == 200 and f'datetime="{today.isoformat()}"' in home.text
    assert feed.status_code == 200 and f"/issues/{today.isoformat()}" in feed.text


async def test_web_pages_and_today_share_one_parse_of_the_archived_issue(
    tmp_path: Path, telegram_fake: TelegramFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Issue] = []
    real_parse = parse_cache.parse_issue

    def counted(data: bytes | str, *, filename: str | None = None) -> Issue:
        parsed.append(real_parse(data, filename=filename))
        return parsed[-1]

    monkeypatch.setattr(parse_cache, "parse_issue", counted)
    async with serving(tmp_path, telegram_fake) as (service, client, today):
        for path in (f"/issues/{today.isoformat()}", "/", "/issues/", "/feed.xml"):
            assert (await client.get(path)).status_code == 200
        current = await service.issues.current()

    assert current is not None and current.is_today
    assert [issue.date for issue in parsed] == [today]  # parsed once, for all of them
    assert current.issue is parsed[0]
