"""The service in-process: Telegram unreachable at start must not stop the day's job, and the
publish, the bot and the alerts share one Telegram client."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from digestbot.bot import application as bot_application
from digestbot.config import load_config
from digestbot.service import Service
from digestbot.store import open_store
from tests.delivery.harness import write_config
from tests.fakes._server import free_port
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_server import TelegramFake
from tests.server.test_health_metrics import samples
from tests.service.test_run_process import todays_issue


async def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def service_config(tmp_path: Path, telegram_fake: TelegramFake) -> Path:
    """Targets 31 and 32, polling every second all day, today's issue in the folder."""
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
    return config_path


@contextlib.asynccontextmanager
async def running_service(tmp_path: Path, config_path: Path) -> AsyncIterator[Service]:
    """`Service.run()` in a task; stopped (and checked to end cleanly) on the way out."""
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    service = Service(load_config(config_path), store)
    running = asyncio.create_task(service.run())
    try:
        yield service
    finally:
        service.stop.set()
        await asyncio.wait_for(running, 30)
        store.close()
    assert running.exception() is None


async def issue_out_and_today_answered(fake: TelegramFake) -> None:
    await eventually(lambda: len(fake.messages_to("31")) == 1)
    await eventually(lambda: len(fake.messages_to("32")) == 1)
    fake.push_message("77", "/today top3", user_id=77)
    await eventually(lambda: len(fake.messages_to("77")) == 1)


async def test_telegram_down_at_start_then_back_the_bot_comes_up_and_the_issue_goes_out(
    tmp_path: Path, telegram_fake: TelegramFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot_application, "RETRY_FIRST", 0.2)
    config_path = service_config(tmp_path, telegram_fake)
    telegram_fake.fail_next(4, status=502)  # the first getMe calls (bot and channel) fail

    async with running_service(tmp_path, config_path):
        await issue_out_and_today_answered(telegram_fake)


async def test_publish_today_replies_and_alerts_share_one_telegram_budget(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config_path = service_config(tmp_path, telegram_fake)
    config_path.write_text(
        config_path.read_text().replace("admin_chat_ids = []", 'admin_chat_ids = ["900"]')
    )

    async with running_service(tmp_path, config_path) as service:
        await issue_out_and_today_answered(telegram_fake)
        # The publish report goes to the admin after the last delivery: let it land first, so
        # the test alert is the last message whichever way the two would race.
        await eventually(lambda: len(telegram_fake.messages_to("900")) == 1)
        reached = await service.alerts.send("a test alert")

    assert reached == 1
    assert [m.text for m in telegram_fake.messages_to("900")][-1] == "a test alert"
    # One client per event loop: the main loop's (bot, replies, alerts), logged in once for
    # the whole run, and the delivery loop's, logged in by the publish. Their limits are one.
    assert sum(1 for r in telegram_fake.requests if r.method.lower() == "getme") == 2
    assert telegram_fake.rate_limited == 0


LAST_PUBLISH = ("digestbot_last_publish_timestamp_seconds", ())


async def test_the_service_counts_its_deliveries_and_publish_time_on_metrics(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config_path = service_config(tmp_path, telegram_fake)
    telegram_fake.forget("32")
    port = load_config(config_path).server.port
    started = time.time()

    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    async with (
        running_service(tmp_path, config_path),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        deadline = time.monotonic() + 30
        while not values.get(LAST_PUBLISH):  # recorded once the whole publish is done
            assert time.monotonic() < deadline, "the publish never showed on /metrics"
            await asyncio.sleep(0.1)
            with contextlib.suppress(httpx.TransportError):  # the server is starting
                values = samples((await client.get("/metrics")).text)

    sent = ("digestbot_deliveries_total", (("channel", "telegram"), ("status", "sent")))
    failed = ("digestbot_deliveries_total", (("channel", "telegram"), ("status", "failed")))
    assert (values[sent], values[failed]) == (1, 1)
    assert started <= values[LAST_PUBLISH] <= time.time()


@pytest.mark.parametrize(
    ("language", "report"),
    [
        ("", "telegram：已发送 2，失败 0"),
        ('\n[bot]\nlanguage = "en"\n', "telegram: sent 2, failed 0"),
    ],
    ids=["zh-by-default", "en"],
)
async def test_admins_get_the_report_and_status_in_the_configured_language(
    tmp_path: Path, telegram_fake: TelegramFake, language: str, report: str
) -> None:
    config_path = service_config(tmp_path, telegram_fake)
    text = config_path.read_text().replace("admin_chat_ids = []", 'admin_chat_ids = ["900"]')
    config_path.write_text(text + language)

    async with running_service(tmp_path, config_path):
        await eventually(
            lambda: any(m.text.startswith("✅") for m in telegram_fake.messages_to("900"))
        )
        telegram_fake.push_message("900", "/status", user_id=900)
        await eventually(lambda: len(telegram_fake.messages_to("900")) == 2)

    published, status = (m.text for m in telegram_fake.messages_to("900"))
    assert report in published and report in status


async def test_a_wrong_slack_token_is_told_to_the_admins_once_while_telegram_goes_out(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake
) -> None:
    config_path = service_config(tmp_path, telegram_fake)
    text = config_path.read_text().replace("admin_chat_ids = []", 'admin_chat_ids = ["900"]')
    text += (
        f'\n[slack]\ntoken = "xoxb-typed-wrong"\nbase_url = "{slack_fake.api_url}"\n'
        'targets = [{ channel = "C0000031", variant = "top3" }]\n'
    )
    config_path.write_text(text)

    def stopped_alerts() -> list[str]:
        return [m.text for m in telegram_fake.messages_to("900") if "已停止发送" in m.text]

    async with running_service(tmp_path, config_path):
        await eventually(lambda: len(telegram_fake.messages_to("31")) == 1)
        await eventually(lambda: len(stopped_alerts()) == 1)
        # Every poll finds Slack still down (one auth.test each), and says nothing new.
        await eventually(lambda: len(slack_fake.errors) >= 3)
        await asyncio.sleep(0.3)  # an alert of the last poll would be on its way by now
    assert len(stopped_alerts()) == 1
    assert "slack" in stopped_alerts()[0] and "invalid_auth" in stopped_alerts()[0]
    assert slack_fake.posts == []
    assert {method for method, _ in slack_fake.errors} == {"auth.test"}
