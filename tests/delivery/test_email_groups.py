"""Over one SMTP connection, each message costs the ledger one transaction, not two: the
outcome of a message is queued before its connection is let go, and the next message's
in-flight mark joins it (`OffLoopLedger`, `delivery.attempts`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from digestbot.channels import EmailChannel
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout, PacedSender, Unpaced
from digestbot.model import Channel, Variant
from digestbot.payloads import EmailMessage
from digestbot.store import OffLoopLedger, Status, open_store
from tests.fakes.smtp_server import SmtpFake

DAY = dt.date(2026, 4, 20)
MAILBOXES = [f"reader{i}@example.org" for i in range(200)]
MESSAGE = EmailMessage(subject="今日三条结论", text="推理成本下降\n", html="<p>推理成本下降</p>")


async def test_one_connection_commits_one_transaction_per_message(
    tmp_path: Path, smtp_fake: SmtpFake
) -> None:
    store = open_store(f"sqlite:///{tmp_path}/ledger.db")
    try:
        targets = ((address, Variant.TOP5) for address in MAILBOXES)
        store.ensure_deliveries(DAY, Channel.EMAIL, targets, {v: 1 for v in Variant})
        email = EmailChannel(
            smtp_fake.host, smtp_fake.port, from_addr="digest@example.org", security="none",
            connections=1,
        )  # fmt: skip
        payloads = {v: [MESSAGE] for v in Variant}
        job = ChannelJob(Channel.EMAIL, PacedSender(email, Unpaced()), payloads)
        async with OffLoopLedger(store) as ledger:
            run = await Fanout(ledger, DeliverySettings(), owner="test").run(DAY, job)
            groups = ledger.groups
        assert run.error is None
        assert store.summary(DAY)[Channel.EMAIL] == Counter({Status.SENT: len(MAILBOXES)})
        received = Counter(rcpt for m in smtp_fake.messages for rcpt in m.rcpt_tos)
        assert received == Counter(dict.fromkeys(MAILBOXES, 1))
        # 2 steps per message (in flight, sent); written apart they would take 400.
        assert groups <= len(MAILBOXES) + 10, groups
    finally:
        store.close()
