"""What replicas on one database coordinate through: provider budgets, admin notices sent
once, and one leader for a piece of work."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

from digestbot.store import Store, open_store

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
