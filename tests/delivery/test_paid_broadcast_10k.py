"""10,000 chats on a paid broadcast (`paid_broadcast = true`, 1,000/s bot-wide) through the
real `digestbot publish` against the Telegram fake in its own process: each chat gets the
digest exactly once and Telegram never answers 429 - also when the first run is killed with
SIGKILL in the middle and the same command runs again."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, SAMPLE, write_config
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.processes import kill_when, run, start

pytestmark = pytest.mark.slow
CHATS = [str(300_000_000 + i) for i in range(10_000)]
CONNECTIONS = 64  # the [telegram] default: the most a kill can leave uncertain
RUN_TIMEOUT = 600  # a loaded 2-core machine sends a few hundred a second


def _config(folder: Path, fake: TelegramFakeProcess) -> Path:
    targets = folder / "chats.csv"
    targets.write_text("".join(f"{chat},top3\n" for chat in CHATS), encoding="utf-8")
    return write_config(
        folder,
        store_url=f"sqlite:///{folder / 'ledger.db'}",
        telegram=fake,
        channel_keys={"telegram": f'paid_broadcast = true\ntargets_file = "{targets}"'},
    )


PUBLISH = ("publish", "--file", str(SAMPLE))


def _statuses(folder: Path) -> dict[str, Status]:
    store = open_store(f"sqlite:///{folder / 'ledger.db'}")
    try:
        return {row.target: row.status for row in store.log(issue_date=DAY)}
    finally:
        store.close()


def test_ten_thousand_chats_each_get_it_once_with_no_429(tmp_path: Path) -> None:
    with TelegramFakeProcess() as fake:
        done = run(_config(tmp_path, fake), *PUBLISH, timeout=RUN_TIMEOUT)
        received = Counter(m.chat_id for m in fake.messages)
        refused = fake.rate_limited

    assert done.returncode == 0, done.stderr[-2000:]
    assert refused == 0
    assert sorted(received) == sorted(CHATS)
    assert set(received.values()) == {1}
    assert set(_statuses(tmp_path).values()) == {Status.SENT}


def test_sigkill_mid_broadcast_then_resume_still_sends_each_chat_once(tmp_path: Path) -> None:
    with TelegramFakeProcess() as fake:
        config = _config(tmp_path, fake)
        first = start(config, *PUBLISH)
        kill_when(first, lambda: fake.accepted >= 3000, "the first run", timeout=RUN_TIMEOUT)
        before_kill = fake.accepted
        second = run(config, *PUBLISH, timeout=RUN_TIMEOUT)
        received = Counter(m.chat_id for m in fake.messages)
        refused = fake.rate_limited

    statuses = _statuses(tmp_path)
    uncertain = {chat for chat, status in statuses.items() if status is Status.UNCERTAIN}
    assert before_kill < len(CHATS), "the kill must land mid-broadcast"
    assert second.returncode == (1 if uncertain else 0), second.stderr[-2000:]
    assert refused == 0
    assert len(uncertain) <= CONNECTIONS, "only requests out at the kill may be uncertain"
    assert max(received.values()) == 1, "no chat got the digest twice"
    for chat in CHATS:
        if chat not in uncertain:
            assert (statuses[chat], received[chat]) == (Status.SENT, 1), chat
