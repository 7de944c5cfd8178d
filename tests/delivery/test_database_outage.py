"""The ledger's database stops in the middle of a `digestbot publish` and comes back 10 s
later: sending stops while it is away (nothing leaves without its record), the same process
resumes by itself within seconds of its return, and the run ends with every chat served once,
no traceback, exit 0. The database is a private PostgreSQL started by the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, SAMPLE, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.private_postgres import PrivatePostgres, unavailable_reason

pytestmark = pytest.mark.slow
CHATS = [str(30000 + i) for i in range(300)]
OUTAGE_SECONDS = 10.0


@pytest.fixture
def private_pg() -> PrivatePostgres:
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to start a private PostgreSQL: {reason}")
        pytest.skip(reason)
    with PrivatePostgres() as pg:
        yield pg  # type: ignore[misc]


def _wait_until(condition: object, proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        assert proc.poll() is None, f"publish ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_publish_waits_out_a_database_outage_and_resumes_within_seconds(
    tmp_path: Path, private_pg: PrivatePostgres, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=private_pg.url,
        telegram=telegram_fake,
        telegram_targets=[(chat, "top3") for chat in CHATS],
    )
    publish = subprocess.Popen(
        [sys.executable, "-m", "digestbot", "--config", str(config), "publish", "--json",
         "--file", str(SAMPLE)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
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
