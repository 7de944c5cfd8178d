"""What replicas on one database coordinate through: provider budgets, admin notices sent
once, and one leader for a piece of work."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest

from digestbot.store import Store, open_store
from digestbot.store.budgets import PRUNE_AFTER_SECONDS
from tests.store.budget_rows import age_budgets, budgets

INTERVAL = 1 / 30


def test_reservations_from_many_threads_never_overlap(store: Store) -> None:
    """Eight threads reserving blocks at once (as eight workers would) get disjoint stretches
    of the budget, one after the other, `interval` apart."""
    blocks: list[tuple[float, int]] = []
    lock = threading.Lock()

    def reserve() -> None:
        for count in (1, 3, 5):
            start, now = store.reserve_sends("telegram:1", INTERVAL, count)
            assert start >= now - 1e-6  # an idle budget starts now, never in the past
            with lock:
                blocks.append((start, count))

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    blocks.sort()
    for (start, count), (next_start, _) in itertools.pairwise(blocks):
        assert next_start >= start + count * INTERVAL - 1e-6
    span = blocks[-1][0] + blocks[-1][1] * INTERVAL - blocks[0][0]
    assert span >= 8 * 9 * INTERVAL - 1e-6  # 72 sends reserved: 72 intervals, at least


def test_budgets_are_separate_per_key_and_only_shared_on_postgresql(store: Store) -> None:
    first, _ = store.reserve_sends("telegram:1", 1.0, 10)
    other, _now = store.reserve_sends("telegram:2", 1.0, 1)
    assert other < first + 10  # telegram:2 did not wait behind telegram:1's ten seconds
    assert store.budgets_shared is (store.dialect == "postgresql")


def test_chat_budgets_space_each_chat_and_start_no_earlier_than_asked(store: Store) -> None:
    """Per-chat rows (burst 1): a batch reserves each chat once, in one statement; a chat
    reserved again waits an interval behind its last send, wherever that was reserved, and a
    send asked for later than now is reserved then."""
    first, now = store.reserve_each([("c:1", 0.0), ("c:2", 0.5)], 1.0)
    assert set(first) == {"c:1", "c:2"}
    assert now - 1e-6 <= first["c:1"] <= now + 0.1
    assert first["c:2"] >= now + 0.5 - 1e-6
    again, _ = store.reserve_each([("c:1", 0.0), ("c:3", 0.0)], 1.0)
    assert again["c:1"] >= first["c:1"] + 1.0 - 1e-6  # behind the first send, not beside it
    assert again["c:3"] < first["c:1"] + 1.0  # another chat does not wait


def test_a_hold_pushes_a_budget_forward_and_never_back(store: Store) -> None:
    """A retry_after seen by one worker: the budget's next send, for every worker, is after
    it; a shorter hold later does not pull it back."""
    store.hold_budget("c:9", 3.0)
    store.hold_budget("c:9", 1.0)
    at, now = store.reserve_each([("c:9", 0.0)], 1.0)
    assert at["c:9"] >= now + 3.0 - 0.1
    store.hold_budget("telegram:9", 2.0)
    start, now = store.reserve_sends("telegram:9", INTERVAL, 1)
    assert start >= now + 2.0 - 0.1


def test_pruning_deletes_only_the_budgets_long_past(store: Store) -> None:
    """Rows whose tat is more than PRUNE_AFTER_SECONDS ago go; the rest stay as they were:
    budgets in use (tat now or ahead), and one whose last send was two minutes ago."""
    _, now = store.reserve_sends("telegram:1", INTERVAL, 30)
    store.reserve_each([("telegram:1:chat:5", 0.0)], 1.0)
    store.hold_budget("telegram:1:chat:6", 5.0)
    long_past = {"telegram:2": now - 2 * PRUNE_AFTER_SECONDS, "telegram:2:chat:5": now - 3700}
    age_budgets(store, {**long_past, "telegram:1:chat:7": now - 120})
    before = budgets(store)

    assert store.prune_budgets() == 2
    assert budgets(store) == {k: v for k, v in before.items() if k not in long_past}
    assert store.prune_budgets() == 0


def test_pruning_never_touches_the_budgets_a_publish_is_reserving(store: Store) -> None:
    """Pruning while eight workers reserve: no reservation is lost (a pruned live row would
    restart its budget at now, and blocks would overlap)."""
    blocks: list[tuple[float, int]] = []
    lock = threading.Lock()
    reserving = threading.Event()
    pruned: list[int] = []

    def reserve() -> None:
        for _ in range(20):
            start, _now = store.reserve_sends("telegram:1", INTERVAL, 2)
            with lock:
                blocks.append((start, 2))
            reserving.set()

    def prune() -> None:
        reserving.wait()
        while any(thread.is_alive() for thread in threads):
            pruned.append(store.prune_budgets())

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    pruner = threading.Thread(target=prune)
    for thread in [*threads, pruner]:
        thread.start()
    for thread in [*threads, pruner]:
        thread.join()
    blocks.sort()
    for (start, count), (next_start, _) in itertools.pairwise(blocks):
        assert next_start >= start + count * INTERVAL - 1e-6
    assert pruned and not any(pruned)
    assert budgets(store) == {"telegram:1": pytest.approx(blocks[-1][0] + 2 * INTERVAL)}


def test_a_notice_is_recorded_once_and_can_be_given_back(store: Store) -> None:
    day = dt.date(2026, 4, 20)
    assert store.first_notice(day, "late")
    assert not store.first_notice(day, "late")  # a restart, or another replica: quiet
    assert store.first_notice(day, "published")
    assert store.first_notice(day + dt.timedelta(days=1), "late")
    store.forget_notice(day, "late")  # it could not be sent: the next try sends it
    assert store.first_notice(day, "late")


def test_one_replica_leads_at_a_time_and_another_takes_over_when_it_resigns(
    store: Store, store_url: str
) -> None:
    other = open_store(store_url)  # another replica: its own engine and sessions
    try:
        assert store.try_lead("schedule:2026-04-20")
        assert store.try_lead("schedule:2026-04-20")  # leading already
        if store.dialect == "postgresql":
            assert not other.try_lead("schedule:2026-04-20")
            assert other.try_lead("schedule:2026-04-21")  # another day, another leader
        else:
            assert other.try_lead("schedule:2026-04-20")  # SQLite: one process, it leads
        store.resign("schedule:2026-04-20")
        assert other.try_lead("schedule:2026-04-20")
        other.resign("schedule:2026-04-20")
        other.resign("schedule:2026-04-21")
    finally:
        other.close()
