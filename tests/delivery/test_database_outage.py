"""The ledger's database stops in the middle of a `digestbot publish` and comes back 10 s
later: sending stops while it is away (nothing leaves without its record), the same process
resumes by itself within seconds of its return, and the run ends with every chat served once,
no traceback, exit 0. The database is a private PostgreSQL started by the test."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.private_postgres import PrivatePostgres, unavailable_reason
from tests.processes import ENV, publish_command, start_publish

pytestmark = pytest.mark.slow
CHATS = [str(30000 + i) for i in range(300)]
OUTAGE_SECONDS = 10.0


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to start a private PostgreSQL: {reason}")
        pytest.skip(reason)
    with PrivatePostgres() as pg:
        yield pg


def _wait_until(condition: object, proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        assert proc.poll() is None, f"publish ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _config(folder: Path, pg: PrivatePostgres, telegram: TelegramFake, store: str = "") -> Path:
    config = write_config(
        folder,
        store_url=pg.url,
        telegram=telegram,
        telegram_targets=[(chat, "top3") for chat in CHATS],
    )
    text = config.read_text(encoding="utf-8").replace("[store]\n", f"[store]\n{store}", 1)
    config.write_text(text, encoding="utf-8")
    return config


def test_publish_waits_out_a_database_outage_and_resumes_within_seconds(
    tmp_path: Path, private_pg: PrivatePostgres, telegram_fake: TelegramFake
) -> None:
    config = _config(tmp_path, private_pg, telegram_fake)
    publish = start_publish(config)
    try:
        _wait_until(lambda: len(telegram_fake.messages) >= 60, publish, "sending began")
        private_pg.stop()
        stopped_at = time.time()
        time.sleep(1.0)  # requests that had left before the stop have landed by now
        during = len(telegram_fake.messages)
        time.sleep(OUTAGE_SECONDS - 1.0)
        assert len(telegram_fake.messages) == during, "sent while the ledger was away"
        assert publish.poll() is None, "publish gave up during a 10 s outage"
        private_pg.start()
        back_at = time.time()
        out, err = publish.communicate(timeout=300)
    finally:
        if publish.poll() is None:
            publish.kill()
            publish.communicate()

    assert "Traceback" not in err and "unhandled exception" not in err, err[-5000:]
    assert publish.returncode == 0, err[-3000:]
    assert json.loads(out)["channels"]["telegram"]["sent"] == len(CHATS)
    received = Counter(m.chat_id for m in telegram_fake.messages)
    assert received == Counter(dict.fromkeys(CHATS, 1))  # none lost, none twice
    store = open_store(private_pg.url)
    assert store.summary(DAY)["telegram"] == Counter({Status.SENT: len(CHATS)})
    store.close()
    resumed_at = min(m.time for m in telegram_fake.messages if m.time > back_at)
    assert resumed_at - back_at < OUTAGE_SECONDS
    print(  # the figure the closing note reports (pytest -s)
        f"\noutage {back_at - stopped_at:.1f} s; sending resumed "
        f"{resumed_at - back_at:.2f} s after the database's return"
    )


def test_an_outage_longer_than_the_patience_ends_publish_with_one_line_and_exit_3(
    tmp_path: Path, private_pg: PrivatePostgres, telegram_fake: TelegramFake
) -> None:
    config = _config(tmp_path, private_pg, telegram_fake, store="outage_patience = 3\n")
    publish = start_publish(config)
    try:
        _wait_until(lambda: len(telegram_fake.messages) >= 60, publish, "sending began")
        private_pg.stop()
        time.sleep(1.0)  # requests that had left before the stop have landed by now
        during = len(telegram_fake.messages)
        out, err = publish.communicate(timeout=120)
    finally:
        if publish.poll() is None:
            publish.kill()
            publish.communicate()
    assert len(telegram_fake.messages) == during, "sent while the ledger was away"
    assert publish.returncode == 3, err[-3000:]
    assert "Traceback" not in err and "unhandled exception" not in err, err[-5000:]
    errors = [line for line in err.splitlines() if line.startswith("digestbot: error:")]
    assert len(errors) == 1 and "unavailable" in errors[0], err[-3000:]
    assert out == ""

    private_pg.start()  # the database is back: the next run finishes, nothing twice
    again = subprocess.run(
        publish_command(config), env=ENV, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in again.stderr, again.stderr[-5000:]
    store = open_store(private_pg.url)
    statuses = {row.target: row.status for row in store.log(issue_date=DAY)}
    store.close()
    received = Counter(m.chat_id for m in telegram_fake.messages)
    uncertain = {chat for chat, status in statuses.items() if status is Status.UNCERTAIN}
    assert len(uncertain) <= 64  # at most one request per connection was out at the stop
    for chat in CHATS:
        if chat in uncertain:
            assert received[chat] <= 1, chat
        else:
            assert (statuses[chat], received[chat]) == (Status.SENT, 1), chat
    assert again.returncode == (1 if uncertain else 0), again.stderr[-3000:]
