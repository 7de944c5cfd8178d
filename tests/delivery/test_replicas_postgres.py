"""Three `digestbot publish` processes on one PostgreSQL schema, 600 Telegram chats and 200
mailboxes, Telegram's real limits at a fake in a process of its own. One worker is SIGKILLed
mid-fan-out and started again: every target gets the issue exactly once (a part in flight at
the kill may be `uncertain`, never sent twice), the fake answers no 429 (the bot-wide budget
is shared through the database), and the dead worker's rows are taken over at once: leases
last an hour here, so a run that waited for them would never end."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from digestbot.store import Status, Store, open_store
from tests.delivery.harness import DAY, write_config
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.processes import start_publish

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CHATS = [str(20000 + i) for i in range(600)]
MAILBOXES = [f"reader{i}@example.org" for i in range(200)]
TELEGRAM_CONNECTIONS = 16
SMTP_CONNECTIONS = 4
LEASE_SECONDS = 3600


def _statuses(store: Store, channel: str) -> dict[str, Status]:
    return {row.target: row.status for row in store.log(issue_date=DAY, channel=channel)}


def test_three_workers_one_killed_and_restarted_deliver_once_without_a_429(
    tmp_path: Path, pg_url: str, telegram_fake_process: TelegramFakeProcess, smtp_fake: SmtpFake
) -> None:
    telegram = telegram_fake_process
    config = write_config(
        tmp_path,
        store_url=pg_url,
        telegram=telegram,
        telegram_targets=[(chat, "top3") for chat in CHATS],
        smtp=smtp_fake,
        email_targets=[(address, "top3") for address in MAILBOXES],
        delivery=f"backoff_base = 0.05\nbackoff_cap = 0.2\nlease_seconds = {LEASE_SECONDS}",
        channel_keys={
            "telegram": f"connections = {TELEGRAM_CONNECTIONS}",
            "email": f"connections = {SMTP_CONNECTIONS}",
        },
    )
    started = time.monotonic()
    workers = [start_publish(config) for _ in range(3)]
    watcher: Store | None = None
    restarted: subprocess.Popen[str] | None = None
    try:
        deadline = time.monotonic() + 180
        victim = None
        while victim is None:  # mid-fan-out: a worker holds Telegram rows, a fifth has left
            assert time.monotonic() < deadline, "the workers never got going"
            for proc in workers:
                assert proc.poll() is None, proc.communicate()[1][-3000:]
            try:
                watcher = watcher or open_store(pg_url)
            except Exception:  # a worker is still migrating the schema
                continue
            holders = {o.split(":")[1] for o in watcher.lease_owners(DAY, "telegram")}
            if len(telegram.messages) >= len(CHATS) // 5:
                victim = next((p for p in workers if str(p.pid) in holders), None)
            time.sleep(0.2)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)  # reaped: a zombie would still look alive to the others
        killed_at = time.monotonic()
        survivors = [p for p in workers if p is not victim]
        restarted = start_publish(config)
        outputs = [p.communicate(timeout=300) for p in [*survivors, restarted]]
        finished = time.monotonic()
    finally:
        for proc in [*workers, *([restarted] if restarted else [])]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if watcher is not None:
            watcher.close()

    errors = "\n".join(err for _, err in outputs)
    assert "Traceback" not in errors, errors[-5000:]
    check = open_store(pg_url)
    telegram_statuses = _statuses(check, "telegram")
    email_statuses = _statuses(check, "email")
    check.close()
    arrived = Counter(m.chat_id for m in telegram.messages)
    mailed = Counter(m for mail in smtp_fake.messages for m in mail.rcpt_tos)
    for statuses, received, targets, connections in (
        (telegram_statuses, arrived, CHATS, TELEGRAM_CONNECTIONS),
        (email_statuses, mailed, MAILBOXES, SMTP_CONNECTIONS),
    ):
        uncertain = {t for t, status in statuses.items() if status is Status.UNCERTAIN}
        assert len(uncertain) <= connections  # only requests that had really left
        for target in targets:
            if target in uncertain:
                assert received[target] <= 1, target
            else:
                assert (statuses[target], received[target]) == (Status.SENT, 1), target
    assert telegram.rate_limited == 0
    for out, _ in outputs:
        report = json.loads(out)
        for channel in ("telegram", "email"):
            assert report["channels"][channel]["pending"] == 0, report
    print(  # the figures the closing note reports (pytest -s)
        f"\n3 workers, 1 killed: {len(CHATS)} chats + {len(MAILBOXES)} mailboxes in "
        f"{finished - started:.1f} s (Telegram's floor {(len(CHATS) - 30) / 30:.1f} s), "
        f"{finished - killed_at:.1f} s after the kill; 429s {telegram.rate_limited}; "
        f"uncertain telegram "
        f"{sum(s is Status.UNCERTAIN for s in telegram_statuses.values())}, email "
        f"{sum(s is Status.UNCERTAIN for s in email_statuses.values())}; duplicates "
        f"{sum(n > 1 for n in arrived.values()) + sum(n > 1 for n in mailed.values())}"
    )
