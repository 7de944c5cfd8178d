"""`kill -9` in the middle of `digestbot retract`, then the same command again: every message
is gone, none was deleted twice (a deletion in flight at the kill is asked again and the fake
answers "not found"), and every email reader got at most one notice - exactly one unless it
was in flight at the kill."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from digestbot.store import Undo, open_store
from tests.delivery.harness import DAY, SAMPLE, write_config
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake, TelegramLimits
from tests.processes import kill_when, run, start

pytestmark = pytest.mark.slow
CHATS = [(str(8000 + i), "top3") for i in range(60)]
MAILBOXES = [(f"reader{i}@example.org", "top3") for i in range(30)]
EMAIL_CONNECTIONS = 2
TELEGRAM_CONNECTIONS = 6


def test_sigkill_mid_retraction_then_rerun_deletes_each_message_once_and_leaves_none(
    tmp_path: Path, smtp_fake: SmtpFake
) -> None:
    with TelegramFake(limits=TelegramLimits.unlimited()) as telegram:
        db = tmp_path / "ledger.db"
        config = write_config(
            tmp_path,
            store_url=f"sqlite:///{db}",
            telegram=telegram,
            telegram_targets=CHATS,
            smtp=smtp_fake,
            email_targets=MAILBOXES,
            channel_keys={
                "email": f"connections = {EMAIL_CONNECTIONS}",
                "telegram": f"connections = {TELEGRAM_CONNECTIONS}",
            },
        )
        published = run(config, "publish", "--file", str(SAMPLE))
        assert published.returncode == 0, published.stderr
        sent = {(m.chat_id, m.message_id) for m in telegram.messages}
        digests = len(smtp_fake.messages)
        telegram.slow(delay=0.3)  # every connection has a deletion out at any moment
        smtp_fake.stall_data(0.2)

        retract = ("retract", DAY.isoformat(), "--reason", "重复发送")
        first = start(config, *retract)
        kill_when(first, lambda: len(telegram.deletions) >= 15, "the retraction")
        assert len(telegram.deletions) < len(sent), "the kill must land mid-retraction"
        telegram.clear_faults()

        second = run(config, *retract)

        for chat, _ in CHATS:
            assert telegram.shown_in(chat) == [], chat
        assert sorted(telegram.deletions) == sorted(sent), "each message deleted exactly once"
        asked = Counter(
            (str(r.params["chat_id"]), int(r.params["message_id"]))
            for r in telegram.requests
            if r.method == "deleteMessage"
        )
        asked_again = sum(n - 1 for n in asked.values())
        assert asked_again <= TELEGRAM_CONNECTIONS, "only what was in flight is asked twice"
        notices = Counter(rcpt for m in smtp_fake.messages[digests:] for rcpt in m.rcpt_tos)
        assert all(n == 1 for n in notices.values()), "never a second notice"
        store = open_store(f"sqlite:///{db}")
        states = {row.target: row.state for row in store.retraction_log(DAY)}
        store.close()
        uncertain = {t for t, s in states.items() if s is Undo.UNCERTAIN}
        assert len(uncertain) <= EMAIL_CONNECTIONS, "only notices in flight at the kill"
        for address, _ in MAILBOXES:
            expected = {1} if address not in uncertain else {0, 1}
            assert notices[address] in expected, address
        assert second.returncode == (1 if uncertain else 0), second.stderr
