"""Several workers share one PostgreSQL ledger: each target still gets the issue once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from digestbot.channels import TelegramChannel
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout, PacedSender, TelegramPacing
from digestbot.delivery.publishing import render_all
from digestbot.model import Variant
from digestbot.rendering import Renderer
from digestbot.store import Status, open_store
from tests.delivery.harness import DAY, sample_issue
from tests.fakes.telegram_server import TelegramFake, TelegramLimits

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def test_three_workers_on_postgres_deliver_each_target_exactly_once(pg_url: str) -> None:
    issue = sample_issue()
    payloads = render_all(Renderer(), issue, "telegram")
    targets = [(str(9000 + i), Variant.TOP3) for i in range(90)]
    setup = open_store(pg_url)
    setup.ensure_deliveries(DAY, "telegram", targets, {v: len(p) for v, p in payloads.items()})
    setup.close()

    with TelegramFake(limits=TelegramLimits.unlimited()) as fake:
        stores = [open_store(pg_url) for _ in range(3)]
        runs = []
        for n, store in enumerate(stores):
            channel = TelegramChannel(fake.token, fake.url + "/bot")
            sender = PacedSender(channel, TelegramPacing(global_per_second=1000))
            job = ChannelJob("telegram", sender, payloads)
            settings = DeliverySettings(concurrency=5, lease_seconds=30)
            runs.append(Fanout(store, settings, owner=f"worker-{n}").run(DAY, job))
        results = await asyncio.gather(*runs)
        for store in stores:
            store.close()

    received = Counter(m.chat_id for m in fake.messages)
    assert received == Counter({target: 1 for target, _ in targets})
    done_by = [sum(r.delivered.values()) for r in results]
    assert sum(done_by) == 90
    assert sum(1 for n in done_by if n > 0) >= 2, f"work was not shared: {done_by}"
    check = open_store(pg_url)
    assert check.summary(DAY)["telegram"] == Counter({Status.SENT: 90})
    check.close()
