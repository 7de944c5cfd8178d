"""The limits workers share through the database (`delivery.shared_limits`), two workers in one
test, each with its own `SharedLimits`, on a real store (a SQLite file here: the statements are
PostgreSQL's too, and the process tests run them there)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digestbot.delivery.pacing import TelegramPacing
from digestbot.delivery.shared_budget import SharedBudget
from digestbot.delivery.shared_limits import ChatBudgets, SharedLimits
from digestbot.store import Store, open_store

KEY = "telegram:42"
CHAT_INTERVAL = 0.3  # shorter than Telegram's 1 s: the test waits for it


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path}/ledger.db")
    yield opened
    opened.close()


def _worker(store: Store, held: list[tuple[str, float]] | None = None) -> SharedLimits:
    rate, burst = TelegramPacing().bot_budget()

    async def reserve(count: int) -> tuple[float, float]:
        return await asyncio.to_thread(store.reserve_sends, KEY, 1 / rate, count)

    async def reserve_chats(sends: list[tuple[str, float]]) -> tuple[dict[str, float], float]:
        return await asyncio.to_thread(store.reserve_each, sends, CHAT_INTERVAL)

    async def hold(key: str, seconds: float) -> None:
        if held is not None:
            held.append((key, seconds))
        await asyncio.to_thread(store.hold_budget, key, seconds)

    return SharedLimits(
        SharedBudget(reserve, rate, burst),
        ChatBudgets(reserve_chats),
        chat_prefix=KEY + ":chat:",
        chat_interval=CHAT_INTERVAL,
        bot_key=KEY,
        hold=hold,
    )


def test_sends_given_bot_slots_together_reserve_their_chats_together(
    store: Store,
) -> None:
    worker = _worker(store)

    async def main() -> list[float]:
        return await asyncio.gather(*(worker.take(str(chat)) for chat in range(10)))

    times = asyncio.run(main())
    assert len(times) == 10
    assert worker.bot is not None
    # Ten chats: one statement per block of bot-wide slots (5 at 29/s), not one per send.
    assert worker.chats.statements <= worker.bot.reservations <= 3


def test_a_chat_another_worker_just_sent_to_waits_its_interval(store: Store) -> None:
    first, second = _worker(store), _worker(store)

    async def main() -> tuple[float, float, float]:
        a = await first.take("7")
        b = await second.take("7")  # the same chat, from another process
        c = await second.take("8")  # another chat: no wait
        return a, b, c

    a, b, c = asyncio.run(main())
    assert b - a >= CHAT_INTERVAL - 0.01
    assert second.busy == 1
    assert c - b < CHAT_INTERVAL


def test_a_retry_after_seen_by_one_worker_holds_the_bot_for_every_worker(store: Store) -> None:
    held: list[tuple[str, float]] = []
    first, second = _worker(store, held), _worker(store)

    async def main() -> tuple[float, float]:
        await first.hold([("bot",), ("chat", "7")], 0.5)
        asked = time.monotonic()
        return asked, await second.take("9")

    asked, at = asyncio.run(main())
    assert at - asked >= 0.5 - 0.05  # the other worker, another chat: it waited too
    assert first.bot is not None
    assert held == [(KEY, 0.5 + first.bot.tolerance), (KEY + ":chat:7", 0.5)]


def test_a_chat_level_retry_after_holds_only_that_chat(store: Store) -> None:
    first, second = _worker(store), _worker(store)

    async def main() -> tuple[float, float, float]:
        await first.hold([("channel", "C1")], 0.5)  # Slack's 429: the channel's alone
        asked = time.monotonic()
        other = await second.take("C2")
        same = await second.take("C1")
        return asked, other, same

    asked, other, same = asyncio.run(main())
    assert other - asked < 0.2
    assert same - asked >= 0.5 - 0.05


def test_a_send_held_up_past_its_slot_moves_its_chat_row_to_where_it_leaves(
    store: Store,
) -> None:
    first, second = _worker(store), _worker(store)

    async def main() -> tuple[float, float, float]:
        at = await first.take("7")
        await asyncio.sleep(0.1)  # its in-flight mark took long to commit
        leaves = await first.renew_if_late("7", at)
        return at, leaves, await second.take("7")

    at, leaves, other = asyncio.run(main())
    assert leaves - at >= 0.1  # a new bot-wide slot, not the stale one
    assert leaves - at < CHAT_INTERVAL  # and no wait behind its own chat reservation
    assert other - leaves >= CHAT_INTERVAL - 0.01  # the other worker keeps its distance
    assert first.bot is not None and first.bot.late == 1
