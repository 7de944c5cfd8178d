"""Three `digestbot publish` processes on one PostgreSQL schema, started together as an operator
would start workers: each target still gets the issue exactly once, and all three did work.

Real processes, not coroutines on one loop: each has its own store connections, limiter and
worker id, and the only thing they share is the database (migrations, archive, intent rows,
leases taken with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy

from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.processes import start_publish

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
WORKERS = 3
CHATS = [str(9000 + i) for i in range(90)]


def _wait_for(what: str, condition: object, procs: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"a worker exited before {what}: {proc.communicate()[1][-3000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_three_publish_processes_on_one_postgres_schema_deliver_each_target_once(
    tmp_path: Path, pg_url: str, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=pg_url,
        telegram=telegram_fake,
        telegram_targets=[(chat, "top3") for chat in CHATS],
        # Few rows claimed at a time, so the other workers find work left to claim.
        delivery="backoff_base = 0.05\nbackoff_cap = 0.2\nconcurrency = 5",
    )
    # Hold every sendMessage until all three workers hold leases: otherwise the first one to
    # finish importing could deliver everything before the others start, proving nothing.
    telegram_fake.hold()
    procs = [start_publish(config) for _ in range(WORKERS)]
    try:
        watcher = None

        def three_hold_leases() -> bool:
            nonlocal watcher
            try:
                watcher = watcher or open_store(pg_url)
            except Exception:  # the schema is still being migrated by a worker
                return False
            return len(watcher.lease_owners(DAY, "telegram")) == WORKERS

        _wait_for("all three workers held leases", three_hold_leases, procs)
        telegram_fake.release()
        outputs = [proc.communicate(timeout=180) for proc in procs]
    finally:
        telegram_fake.release()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if watcher is not None:
            watcher.close()

    errors = [err for _, err in outputs]
    assert all("Traceback" not in e for e in errors), errors
    reports = [json.loads(out) for out, _ in outputs]
    for proc, report in zip(procs, reports, strict=True):
        telegram = report["channels"]["telegram"]
        # A worker that runs out of rows while another still holds some waits for it: each
        # one reports the whole issue delivered and exits 0.
        assert telegram["failed"] == telegram["uncertain"] == telegram["pending"] == 0, report
        assert proc.returncode == 0, errors
    received = Counter(m.chat_id for m in telegram_fake.messages)
    assert received == Counter(dict.fromkeys(CHATS, 1))
    check = open_store(pg_url)
    assert check.summary(DAY)["telegram"] == Counter({Status.SENT: len(CHATS)})
    check.close()
    # A finished row keeps the lease owner ("host:pid:random") of the worker that sent it.
    engine = sqlalchemy.create_engine(pg_url)
    with engine.connect() as conn:
        sent_by = Counter(
            dict(
                conn.execute(
                    sqlalchemy.text(
                        "select lease_owner, count(*) from deliveries group by lease_owner"
                    )
                ).all()
            )
        )
    engine.dispose()
    assert {owner.split(":")[1] for owner in sent_by} == {str(p.pid) for p in procs}
    assert sum(sent_by.values()) == len(CHATS)
