"""`digestbot run` as a real process against the fakes: it notices today's issue, publishes it,
reports to the admins; SIGTERM mid-publish and a restart still give every chat one copy."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digestbot.store import Status, open_store
from tests import processes
from tests.delivery.harness import SAMPLE, write_config
from tests.fakes._server import free_port
from tests.fakes.telegram_server import TelegramFake

pytestmark = pytest.mark.slow
ADMIN = "424242"
CHATS = [str(8000 + i) for i in range(150)]


def todays_issue(folder: Path) -> dt.date:
    """The sample issue re-dated to today in the issue timezone, dropped in the source."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    spaced = today.isoformat().replace("-", " - ")
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("2026 - 04 - 20", spaced).replace("2026-04-20", today.isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{today.isoformat()}.txt").write_text(text, encoding="utf-8")
    return today


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """`digestbot run`, its stderr appended to `log`."""
    return processes.start(config, "run", stderr=log.open("ab"))


def test_sigterm_during_publish_then_restart_delivers_each_chat_exactly_once(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[(chat, "top3") for chat in CHATS],
    )
    text = config.read_text().replace("admin_chat_ids = []", f'admin_chat_ids = ["{ADMIN}"]')
    text += '\n[schedule]\ntime = "00:00"\ndeadline = "23:59"\npoll_every = "2s"\n'
    text += f'\n[server]\nhost = "127.0.0.1"\nport = {free_port()}\n'
    config.write_text(text)
    today = todays_issue(tmp_path / "issues")
    log = tmp_path / "run.log"

    first = start(config, log)
    try:
        wait_for(lambda: len(telegram_fake.messages) >= 30, 60, "the publish to start")
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, log.read_text()
        # The publish ran on the delivery thread's loop: it stopped with the process, quietly.
        for noise in ("Traceback", "Task was destroyed", "Exception in thread"):
            assert noise not in log.read_text(), log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
    sent_before_restart = Counter(m.chat_id for m in telegram_fake.messages)
    assert len(sent_before_restart) < len(CHATS), "SIGTERM must land mid-publish"
    assert all(n == 1 for n in sent_before_restart.values())

    second = start(config, log)
    try:
        wait_for(
            lambda: any(m.text.startswith("✅") for m in telegram_fake.messages_to(ADMIN)),
            90,
            "the admins' publish report",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, log.read_text()
    finally:
        if second.poll() is None:
            second.kill()

    received = Counter(m.chat_id for m in telegram_fake.messages if m.chat_id != ADMIN)
    assert received == Counter({chat: 1 for chat in CHATS}), "every chat exactly once"
    report = next(m.text for m in telegram_fake.messages_to(ADMIN) if m.text.startswith("✅"))
    assert f"telegram：已发送 {len(CHATS)}，失败 0" in report  # in the readers' language
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    assert store.summary(today)["telegram"] == Counter({Status.SENT: len(CHATS)})
    store.close()
    assert telegram_fake.token not in log.read_text()
