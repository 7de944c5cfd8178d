"""SIGKILL of `digestbot correct` in the middle, then the same command again: every reader
is corrected exactly once. An edit the kill left in flight is simply made again (Telegram
answers "message is not modified", so it changes nothing); a notice mail that may have left
stays `uncertain` rather than being sent twice."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy

from tests.corrections.harness import FIGURES, revision_bytes
from tests.delivery.harness import write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake
from tests.processes import kill_when, start
from tests.sample import DAY

pytestmark = pytest.mark.slow
CHATS = [(str(3000 + i), "top5") for i in range(60)]
CHANNELS = [(f"C{i:07d}", "top5") for i in range(10)]
MAILBOXES = [(f"reader{i}@example.org", "top5") for i in range(60)]
CONNECTIONS = {"telegram": 4, "slack": 2, "email": 2}


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = process.communicate(timeout=300)
    return process.returncode, err.decode()


def test_sigkill_mid_correction_then_rerun_corrects_everyone_exactly_once(
    tmp_path: Path,
) -> None:
    first, fixed = tmp_path / "rev1" / "2026-04-20.txt", tmp_path / "rev2" / "2026-04-20.txt"
    for path, number in ((first, 1), (fixed, 2)):
        path.parent.mkdir()
        path.write_bytes(revision_bytes(number))
    db = tmp_path / "ledger.db"
    with TelegramFake() as telegram, SlackFake() as slack, SmtpFake() as smtp:
        config = write_config(
            tmp_path,
            store_url=f"sqlite:///{db}",
            telegram=telegram,
            telegram_targets=CHATS,
            slack=slack,
            slack_targets=CHANNELS,
            smtp=smtp,
            email_targets=MAILBOXES,
            channel_keys={name: f"connections = {n}" for name, n in CONNECTIONS.items()},
        )
        code, err = _finish(start(config, "publish", "--file", str(first)))
        assert code == 0, err
        sent = Counter(m.chat_id for m in telegram.messages)
        posted = Counter(p.channel for p in slack.posts)

        telegram.slow(delay=0.3)
        slack.slow(delay=0.3)
        smtp.stall_data(0.2)
        correct = start(config, "correct", DAY.isoformat(), "--file", str(fixed))
        kill_when(correct, lambda: len(telegram.edits) >= 15, "the correction", timeout=120)
        edits_at_kill = len(telegram.edits)
        assert edits_at_kill < len(CHATS), "the kill came after the correction was done"

        telegram.clear_faults()
        slack.clear_faults()
        smtp.stall_data(0.0)
        code, err = _finish(start(config, "correct", DAY.isoformat(), "--file", str(fixed)))
        uncertain = _uncertain(db)
        assert code == (1 if any(uncertain.values()) else 0), err

    assert Counter(m.chat_id for m in telegram.messages) == sent  # nothing sent twice
    assert Counter(p.channel for p in slack.posts) == posted
    edited = Counter((e.chat_id, e.message_id) for e in telegram.edits)
    for chat, _ in CHATS:
        shown = telegram.shown_in(chat)
        assert all(FIGURES[1] in m.text for m in shown[:1]), chat
        # The part that changed was changed once; the others were never "modified".
        assert sum(edited[(chat, m.message_id)] for m in shown) == 1, chat
    updates = Counter((u.channel, u.ts) for u in slack.updates)
    repeated = [key for key, n in updates.items() if n > 1]
    assert len(repeated) <= CONNECTIONS["slack"]  # in flight at the kill: same text again
    for channel, _ in CHANNELS:
        assert all(updates[(channel, p.ts)] >= 1 for p in slack.shown_in(channel))
    notices = Counter(
        rcpt
        for m in smtp.messages
        if str(m.parsed["Subject"]).startswith("更正")
        for rcpt in m.rcpt_tos
    )
    assert max(notices.values()) == 1  # never two notices for one correction
    missing = {address for address, _ in MAILBOXES if not notices[address]}
    assert missing <= uncertain["email"]  # only a notice that may have left is not resent
    assert len(uncertain["email"]) <= CONNECTIONS["email"]


def _uncertain(db: Path) -> dict[str, set[str]]:
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text(
                "select d.channel, d.target from deliveries d join delivery_parts p"
                " on p.delivery_id = d.id where p.status = 'uncertain'"
            )
        ).all()
    engine.dispose()
    found: dict[str, set[str]] = {"telegram": set(), "slack": set(), "email": set()}
    for channel, target in rows:
        found[channel].add(target)
    return found
