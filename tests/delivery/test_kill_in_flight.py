"""SIGKILL of `digestbot publish` at 10 random moments: each time, the parts the ledger holds
in flight (`uncertain` once a later run sweeps them) number at most the channel's connections.
Before a part is marked it must hold one of them, so 50 claimed deliveries waiting for 4 SMTP
connections are still plain `pending` when the process dies.

The fakes answer slowly, so that at any moment every connection has a request out."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy

from tests.delivery.harness import SAMPLE, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake
from tests.processes import kill_when, start

pytestmark = pytest.mark.slow
KILLS = 10
CONNECTIONS = {"telegram": 6, "slack": 3, "email": 2}
CHATS = [(str(5000 + i), "top3") for i in range(60)]
SLACK_CHANNELS = [(f"C{i:07d}", "top3") for i in range(30)]
MAILBOXES = [(f"reader{i}@example.org", "top3") for i in range(200)]
IN_FLIGHT = sqlalchemy.text(
    "select d.channel, d.target from delivery_parts p join deliveries d on d.id = p.delivery_id"
    " where p.status = 'uncertain' or (p.status = 'pending' and p.in_flight_at is not null)"
)


def in_flight(db: Path) -> dict[str, list[str]]:
    """Per channel, the targets whose request may have left: what a resumed run finds
    `uncertain` (rows a dead worker had in flight turn uncertain when claimed next)."""
    engine = sqlalchemy.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(IN_FLIGHT).all()
    engine.dispose()
    result: dict[str, list[str]] = {name: [] for name in CONNECTIONS}
    for channel, target in rows:
        result[channel].append(target)
    return result


def received(telegram: TelegramFake, slack: SlackFake, smtp: SmtpFake) -> Counter[str]:
    return Counter(
        [m.chat_id for m in telegram.messages]
        + [p.channel for p in slack.posts]
        + [rcpt for m in smtp.messages for rcpt in m.rcpt_tos]
    )


def test_after_sigkill_at_random_moments_no_channel_has_more_in_flight_than_connections(
    tmp_path: Path,
) -> None:
    rng = random.Random(20260420)  # reproducible moments
    worst: Counter[str] = Counter()
    total: Counter[str] = Counter()
    arrived: Counter[str] = Counter()
    for kill in range(KILLS):
        folder = tmp_path / f"kill{kill}"
        folder.mkdir()
        with TelegramFake() as telegram, SlackFake() as slack, SmtpFake() as smtp:
            telegram.slow(delay=0.4)
            slack.slow(delay=0.4)
            smtp.stall_data(0.2)
            db = folder / "ledger.db"
            config = write_config(
                folder,
                store_url=f"sqlite:///{db}",
                telegram=telegram,
                telegram_targets=CHATS,
                slack=slack,
                slack_targets=SLACK_CHANNELS,
                smtp=smtp,
                email_targets=MAILBOXES,
                channel_keys={name: f"connections = {n}" for name, n in CONNECTIONS.items()},
            )
            publish = start(config, "publish", "--file", str(SAMPLE))
            kill_when(
                publish,
                lambda: bool(telegram.messages or slack.posts or smtp.messages),
                "the fan-out",
                timeout=120,
                later=rng.uniform(0.0, 3.0),
            )
            got = received(telegram, slack, smtp)
        left = in_flight(db)
        for channel, targets in left.items():
            assert len(targets) <= CONNECTIONS[channel], (kill, channel, targets)
            worst[channel] = max(worst[channel], len(targets))
            total[channel] += len(targets)
            arrived[channel] += sum(1 for t in targets if got[t])
    print(f"\nmost in flight at a kill, per channel: {dict(worst)} (connections {CONNECTIONS})")
    print(f"in flight over all {KILLS} kills: {dict(total)}, of which arrived: {dict(arrived)}")
    assert sum(worst.values()) > 0, "no kill caught a request in flight: the test proved nothing"
