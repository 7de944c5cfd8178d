"""Three workers taking sends from one bot-wide budget kept in PostgreSQL: together they stay
under the provider's limit as Telegram counts it (the fake's bucket), each taking its share."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from digestbot.delivery.pacing import TelegramPacing
from digestbot.delivery.shared_budget import Reserve, SharedBudget
from digestbot.store import Store, open_store
from tests.fakes._server import TokenBucket

pytestmark = pytest.mark.postgres
WORKERS = 3
SENDS_EACH = 40


async def _worker(budget: SharedBudget, name: int, sent: list[tuple[float, int]]) -> None:
    async def one() -> None:
        await budget.take()
        sent.append((time.monotonic(), name))

    await asyncio.gather(*(one() for _ in range(SENDS_EACH)))


def test_workers_sharing_a_budget_together_stay_under_the_bot_limit(pg_url: str) -> None:
    stores = [open_store(pg_url) for _ in range(WORKERS)]  # a connection pool each
    rate, burst = TelegramPacing().bot_budget()
    sent: list[tuple[float, int]] = []

    def reserving(store: Store) -> Reserve:
        async def reserve(count: int) -> tuple[float, float]:
            return await asyncio.to_thread(store.reserve_sends, "telegram:42", 1 / rate, count)

        return reserve

    async def main() -> list[SharedBudget]:
        budgets = [SharedBudget(reserving(store), rate, burst) for store in stores]
        await asyncio.gather(*(_worker(b, i, sent) for i, b in enumerate(budgets)))
        return budgets

    try:
        started = time.monotonic()
        budgets = asyncio.run(main())
        took = time.monotonic() - started
    finally:
        for store in stores:
            store.close()
    telegram = TokenBucket(30, burst=30)  # how the fake (and Telegram) counts a bot's sends
    over = 0
    for at, _ in sorted(sent):
        if telegram.wait_time(at) > 0:
            over += 1
        telegram.add(at)
    assert over == 0
    assert Counter(name for _, name in sent) == Counter(dict.fromkeys(range(WORKERS), SENDS_EACH))
    # 120 sends: a burst, then the rest at the shared rate (not three times it).
    assert took >= (WORKERS * SENDS_EACH - 30) / 30
    assert sum(b.reservations for b in budgets) < WORKERS * SENDS_EACH / 2  # sent in blocks
