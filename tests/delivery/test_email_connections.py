"""Email at connection speed: 1,000 mailboxes over the default 4 SMTP connections, each
exactly once, and a refusal on one connection (421 closing it, 450 mailbox busy) holds up only
that one recipient: the other connections keep sending while it backs off."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from digestbot.delivery import publish
from digestbot.rendering import Renderer
from digestbot.store import Status, open_store
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.smtp_server import SmtpFake

pytestmark = pytest.mark.slow
CONNECTIONS = 4  # [email] connections' default, which the config below leaves as it is
MAILBOXES = [(f"reader{i}@example.org", ("top3", "top5", "full")[i % 3]) for i in range(1000)]
CLOSING, BUSY = "reader10@example.org", "reader20@example.org"
# backoff_base = 1.0 below, with "equal jitter": the first backoff lasts 0.5 to 1.0 s.
MIN_BACKOFF_SECONDS = 0.5


async def test_1000_mailboxes_each_once_over_4_connections_and_a_refusal_stalls_no_other(
    tmp_path: Path, smtp_fake: SmtpFake
) -> None:
    smtp_fake.refuse(CLOSING, 421, times=1)
    smtp_fake.refuse(BUSY, 450, times=1)
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            smtp=smtp_fake,
            email_targets=MAILBOXES,
            # A refused recipient waits 0.5-1 s before its next try.
            delivery="backoff_base = 1.0\nbackoff_cap = 1.0\nconcurrency = 50",
        )
    )

    report = await publish(sample_issue(), config, store, Renderer())

    assert report.ledger["email"] == Counter({Status.SENT: len(MAILBOXES)})
    received = Counter(rcpt for m in smtp_fake.messages for rcpt in m.rcpt_tos)
    assert received == Counter({address: 1 for address, _ in MAILBOXES})
    assert smtp_fake.peak_connections == CONNECTIONS
    for refused in smtp_fake.refusals:
        backing_off = [
            m for m in smtp_fake.messages if 0 < m.time - refused.time < MIN_BACKOFF_SECONDS
        ]
        # While the refused one backed off, all connections were sending at once: none sat
        # idle holding it, and the one closed by the 421 was replaced.
        assert max(m.concurrent for m in backing_off) == CONNECTIONS, refused
    assert {r.code for r in smtp_fake.refusals} == {421, 450}
    closed = next(r for r in smtp_fake.refusals if r.code == 421)
    assert all(m.session != closed.session for m in smtp_fake.messages if m.time > closed.time)
    store.close()
