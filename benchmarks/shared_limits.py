"""What the limits shared through PostgreSQL cost a worker per message: the bot-wide budget
alone (as before per-chat budgets were shared) against the bot's plus each chat's row.

SENDS sends to as many chats, CONCURRENCY at a time (the fan-out's connections), through the
shared limits of a paid broadcast (1,000/s bot-wide, so the wall time is ~SENDS / 1,000 s and
the CPU is the reservations'): printed are the process's CPU per message (SQLAlchemy, the
driver, the thread hops), the statements per message, and the ratio of the two cases, with the
load average. The goal is the ledger's: ≤ 0.5 ms client CPU per message on PostgreSQL.

Needs the PostgreSQL of the tests (DIGESTBOT_TEST_PG_URL); a schema of its own, dropped after.
`.venv/bin/python -m benchmarks.shared_limits`."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.ledger import pg_answers, pg_url
from benchmarks.report import load_average
from digestbot.delivery import LedgerBudgets
from digestbot.delivery.pacing import SAFETY, TelegramPacing
from digestbot.delivery.shared_budget import SharedBudget
from digestbot.delivery.shared_limits import ChatBudgets, SharedLimits
from digestbot.store import OffLoopLedger, Store, open_store

SENDS = 3000
CONCURRENCY = 16
PAID = TelegramPacing(global_per_second=1000.0)


async def _run(store: Store, with_chats: bool, key: str) -> tuple[float, int]:
    ledger = OffLoopLedger(store)
    budgets = LedgerBudgets(ledger, store)
    rate, burst = PAID.bot_budget()

    async def reserve(count: int) -> tuple[float, float]:
        return await budgets.reserve_sends(key, 1 / rate, count)

    interval = 1 / (PAID.per_chat_per_second * SAFETY)

    async def reserve_chats(sends: list[tuple[str, float]]) -> tuple[dict[str, float], float]:
        return await budgets.reserve_each(sends, interval)

    bot = SharedBudget(reserve, rate, burst)
    chats = ChatBudgets(reserve_chats)
    limits = SharedLimits(
        bot,
        chats,
        chat_prefix=key + ":chat:",
        chat_interval=interval,
        bot_key=key,
        hold=budgets.hold_budget,
    )
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(SENDS):
        queue.put_nowait(str(100000 + i))

    async def sender() -> None:
        while not queue.empty():
            target = queue.get_nowait()
            if with_chats:
                await limits.take(target)
            else:
                await bot.take()

    cpu = time.process_time()
    await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
    used = time.process_time() - cpu
    await ledger.aclose()
    return used / SENDS, bot.reservations + chats.statements


def main() -> None:
    if not pg_answers():
        print("PostgreSQL does not answer: skipped")
        return
    results: dict[bool, Any] = {}
    with pg_url() as url:
        store = open_store(url)
        try:
            for round_ in range(2):  # the first round warms the pool and the statements up
                for with_chats in (False, True):
                    key = f"telegram:{round_}{int(with_chats)}"
                    results[with_chats] = asyncio.run(_run(store, with_chats, key))
        finally:
            store.close()
    for with_chats, (cpu, statements) in results.items():
        what = "bot + chat rows" if with_chats else "bot row only   "
        print(
            f"{what}: {cpu * 1000:.3f} ms CPU/message (goal 0.5), "
            f"{statements / SENDS:.3f} statements/message"
        )
    print(f"ratio bot+chats / bot only: {results[True][0] / results[False][0]:.2f}")
    print(f"load average: {load_average()}")


if __name__ == "__main__":
    main()
