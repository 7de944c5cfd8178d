"""`digestbot run` serves the readers' web on its one HTTP server, from what it published."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from digestbot.config import load_config
from digestbot.service import Service
from digestbot.store import open_store
from tests.delivery.harness import write_config
from tests.fakes.telegram_server import TelegramFake
from tests.service.test_run_process import todays_issue
from tests.service.test_service import eventually


async def test_the_issue_it_published_is_on_its_web_pages_and_in_its_feed(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
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
            page = await client.get(f"/issues/{today.isoformat()}")
            home = await client.get("/")
            feed = await client.get("/feed.xml")
    finally:
        service.stop.set()
        await asyncio.wait_for(running, 30)
        store.close()
    assert page.status_code == 200 and "今日三条结论" in page.text
    assert home.status_code == 200 and f'datetime="{today.isoformat()}"' in home.text
    assert feed.status_code == 200 and f"/issues/{today.isoformat()}" in feed.text
