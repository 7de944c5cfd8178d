"""A worker restarted with the same hostname and PID (Docker's `restart:` with an exec-form CMD
runs it as PID 1 every time) takes its dead predecessor's rows over at once instead of
honouring their leases until they expire. Both runs are real `digestbot publish` processes,
each PID 1 of a PID namespace of its own (`unshare -p -f --mount-proc`)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, SAMPLE, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.processes import ENV

pytestmark = pytest.mark.slow
CHATS = [str(8000 + i) for i in range(120)]
LEASE_SECONDS = 3600  # a run that waited for the dead run's leases would never finish


def _as_pid_1(config: Path) -> list[str]:
    return [
        "unshare", "-p", "-f", "--mount-proc", "--kill-child",
        sys.executable, "-m", "digestbot", "--config", str(config),
        "publish", "--file", str(SAMPLE), "--json",
    ]  # fmt: skip


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-p", "-f", "--mount-proc", "true"], capture_output=True, check=False
    )
    return probe.returncode == 0


def test_a_restart_under_the_same_pid_takes_over_the_dead_runs_rows_at_once(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    if not _can_unshare():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root and must be able to unshare a PID namespace")
        pytest.skip("unshare -p needs root (or user namespaces) here")
    db = tmp_path / "ledger.db"
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{db}",
        telegram=telegram_fake,
        telegram_targets=[(chat, "top3") for chat in CHATS],
        delivery=f"backoff_base = 0.05\nbackoff_cap = 0.2\nlease_seconds = {LEASE_SECONDS}",
    )
    telegram_fake.hold()  # the first run claims rows and sends nothing
    first = subprocess.Popen(_as_pid_1(config), env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while telegram_fake.held == 0:
            assert first.poll() is None, "the first run ended before it held any rows"
            assert time.monotonic() < deadline, "the first run never got going"
            time.sleep(0.05)
        store = open_store(f"sqlite:///{db}")
        (owner,) = store.lease_owners(DAY, "telegram")
        store.close()
        assert owner.split(":")[1] == "1"  # it is PID 1 of its namespace
    finally:
        first.send_signal(signal.SIGKILL)  # --kill-child: its PID 1 dies with it
        first.wait(timeout=30)
        telegram_fake.release()

    second = subprocess.run(_as_pid_1(config), env=ENV, capture_output=True, text=True, timeout=300)

    store = open_store(f"sqlite:///{db}")
    statuses = {row.target: row.status for row in store.log(issue_date=DAY)}
    store.close()
    received = Counter(m.chat_id for m in telegram_fake.messages)
    uncertain = {chat for chat, status in statuses.items() if status is Status.UNCERTAIN}
    # The requests the first run had out when it died may have arrived: those are uncertain
    # (never sent again); every other chat got the issue from the second run, once.
    assert 0 < len(uncertain) < len(CHATS)
    for chat in CHATS:
        if chat in uncertain:
            assert received[chat] <= 1, chat
        else:
            assert (statuses[chat], received[chat]) == (Status.SENT, 1), chat
    assert second.returncode == 1, second.stderr[-2000:]  # 1: some are uncertain
