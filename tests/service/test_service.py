"""The service in-process: Telegram unreachable at start must not stop the day's job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from digestbot import service as service_module
from digestbot.config import load_config
from digestbot.service import Service
from digestbot.store import open_store
from tests.delivery.harness import write_config
from tests.fakes._server import free_port
from tests.fakes.telegram_server import TelegramFake
from tests.service.test_run_process import todays_issue


async def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_telegram_down_at_start_then_back_the_bot_comes_up_and_the_issue_goes_out(
    tmp_path: Path, telegram_fake: TelegramFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "BOT_RETRY_FIRST", 0.2)
    config_path = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("31", "top3"), ("32", "top3")],
    )
    text = config_path.read_text()
    text += '\n[schedule]\ntime = "00:00"\ndeadline = "23:59"\npoll_every = "1s"\n'
    text += f'\n[server]\nhost = "127.0.0.1"\nport = {free_port()}\n'
    config_path.write_text(text)
    todays_issue(tmp_path / "issues")
    telegram_fake.fail_next(4, status=502)  # the first getMe calls (bot and channel) fail

    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    service = Service(load_config(config_path), store)
    running = asyncio.create_task(service.run())
    try:
        await eventually(lambda: len(telegram_fake.messages_to("31")) == 1)
        await eventually(lambda: len(telegram_fake.messages_to("32")) == 1)
        telegram_fake.push_message("77", "/today top3", user_id=77)
        await eventually(lambda: len(telegram_fake.messages_to("77")) == 1)
    finally:
        service.stop.set()
        await asyncio.wait_for(running, 30)
        store.close()
    assert running.exception() is None
