"""The delivery ledger: intent rows, leases, part outcomes, resets and the views `log` reads."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from digestbot.model import Variant
from digestbot.store import ClaimedDelivery, PartStep, Status, Store, open_store
from digestbot.store.models import deliveries
from tests.store.conftest import FakeClock

DAY = dt.date(2026, 4, 20)
PARTS = {Variant.TOP3: 1, Variant.TOP5: 2, Variant.FULL: 3}


def _targets(n: int, variant: Variant = Variant.TOP3) -> list[tuple[str, Variant]]:
    return [(f"chat-{i}", variant) for i in range(n)]


def _steps(store: Store, *steps: PartStep, owner: str = "w1") -> None:
    assert store.record_steps(owner, steps) == [True] * len(steps)


def _only(store: Store, owner: str = "w1", include_uncertain: bool = False) -> ClaimedDelivery:
    claimed = store.claim(DAY, "telegram", owner, 10, 60, include_uncertain=include_uncertain)
    assert len(claimed) == 1
    return claimed[0]


# --- intent ---------------------------------------------------------------------------------


def test_ensure_deliveries_is_idempotent(store: Store) -> None:
    assert store.ensure_deliveries(DAY, "telegram", _targets(3), PARTS) == 3
    assert store.ensure_deliveries(DAY, "telegram", _targets(3), PARTS) == 0
    assert store.ensure_deliveries(DAY, "telegram", _targets(4), PARTS) == 1
    assert len(list(store.log())) == 4


def test_the_same_target_may_hold_one_row_per_variant_channel_and_day(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3), ("a", Variant.FULL)], PARTS)
    store.ensure_deliveries(DAY, "slack", [("a", Variant.TOP3)], PARTS)
    store.ensure_deliveries(DAY + dt.timedelta(days=1), "telegram", [("a", Variant.TOP3)], PARTS)
    assert len(list(store.log())) == 4


def test_duplicates_inside_one_call_are_recorded_once(store: Store) -> None:
    assert store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)] * 3, PARTS) == 1


def test_the_database_itself_refuses_a_second_row_for_the_same_key(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    now = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    row = {
        "issue_date": DAY,
        "channel": "telegram",
        "target": "a",
        "variant": "top3",
        "status": "pending",
        "parts_total": 1,
        "created_at": now,
        "updated_at": now,
    }
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(deliveries).values(**row))


def test_each_delivery_gets_one_pending_part_per_rendered_message(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.FULL)], PARTS)
    claimed = _only(store)
    assert claimed.parts_total == 3
    assert [p.index for p in claimed.parts] == [0, 1, 2]
    assert {p.status for p in claimed.parts} == {Status.PENDING}


def test_ensure_consumes_a_generator_lazily_in_batches(store: Store) -> None:
    consumed = 0

    def audience() -> Iterator[tuple[str, Variant]]:
        nonlocal consumed
        for i in range(1203):
            consumed += 1
            yield f"t{i}", Variant.TOP5

    assert store.ensure_deliveries(DAY, "slack", audience(), PARTS) == 1203
    assert consumed == 1203
    assert store.summary(DAY) == {"slack": Counter({Status.PENDING: 1203})}


def test_a_variant_without_a_parts_count_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError, match="full"):
        store.ensure_deliveries(DAY, "telegram", [("a", Variant.FULL)], {Variant.TOP3: 1})


# --- leases ---------------------------------------------------------------------------------


def test_two_owners_never_hold_the_same_delivery(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(5), PARTS)
    first = store.claim(DAY, "telegram", "w1", limit=3, lease_seconds=60)
    second = store.claim(DAY, "telegram", "w2", limit=10, lease_seconds=60)
    third = store.claim(DAY, "telegram", "w3", limit=10, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert {c.id for c in first}.isdisjoint({c.id for c in second})
    assert {c.lease_owner for c in second} == {"w2"}


def test_an_expired_lease_is_claimable_again(store: Store, clock: FakeClock) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(1), PARTS)
    assert len(store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)) == 1
    clock.advance(59)
    assert store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60) == []
    clock.advance(2)
    assert [c.lease_owner for c in store.claim(DAY, "telegram", "w2", 5, 60)] == ["w2"]


def test_renewing_keeps_a_lease_and_only_the_owner_can_renew_or_release(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(1), PARTS)
    (claimed,) = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)
    clock.advance(50)
    assert store.renew_lease([claimed.id], "w2", 60) == 0
    assert store.renew_lease([claimed.id], "w1", 60) == 1
    clock.advance(50)
    assert store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60) == []
    assert store.release([claimed.id], "w2") == 0
    assert store.release([claimed.id], "w1") == 1
    assert len(store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60)) == 1


def test_finished_deliveries_are_never_claimed(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(1), PARTS)
    claimed = _only(store)
    _steps(store, PartStep.in_flight(claimed.id, 0))
    _steps(store, PartStep.sent(claimed.id, 0, "m-1"), PartStep.release(claimed.id))
    assert store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60) == []


def test_claims_are_scoped_to_one_issue_and_channel(store: Store) -> None:
    store.ensure_deliveries(DAY, "slack", _targets(2), PARTS)
    store.ensure_deliveries(DAY - dt.timedelta(days=1), "telegram", _targets(2), PARTS)
    assert store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60) == []


def test_concurrent_claims_on_postgresql_get_disjoint_sets(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        store.ensure_deliveries(DAY, "telegram", _targets(400), PARTS)
        workers = 8
        barrier = threading.Barrier(workers)
        results: dict[str, list[int]] = {}

        def work(owner: str) -> None:
            barrier.wait()  # everyone claims at the same moment
            got: list[int] = []
            while batch := store.claim(DAY, "telegram", owner, limit=7, lease_seconds=600):
                got.extend(c.id for c in batch)
            results[owner] = got

        threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        all_ids = [i for ids in results.values() for i in ids]
        assert len(all_ids) == 400
        assert len(set(all_ids)) == 400
        assert sum(1 for ids in results.values() if ids) > 1  # the work really was shared
    finally:
        store.close()


# --- part outcomes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "overall"),
    [
        ([], Status.PENDING),
        (["sent"], Status.PENDING),
        (["sent", "sent", "sent"], Status.SENT),
        (["sent", "failed"], Status.FAILED),
        (["sent", "failed-permanent"], Status.FAILED),
        (["uncertain"], Status.UNCERTAIN),
        (["sent", "sent", "uncertain"], Status.UNCERTAIN),
        (["failed", "uncertain"], Status.UNCERTAIN),
    ],
)
def test_a_delivery_takes_its_overall_status_from_its_parts(
    store: Store, outcomes: list[str], overall: Status
) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.FULL)], PARTS)
    claimed = _only(store)
    for index, outcome in enumerate(outcomes):
        _steps(store, PartStep.in_flight(claimed.id, index))
        if outcome == "sent":
            _steps(store, PartStep.sent(claimed.id, index, f"m-{index}"))
        elif outcome.startswith("failed"):
            permanent = "permanent" in outcome
            _steps(store, PartStep.failed(claimed.id, index, "boom", permanent=permanent))
        else:
            _steps(store, PartStep.uncertain(claimed.id, index, "timed out after sending"))
    (row,) = store.log()
    assert row.status is overall
    assert row.parts_sent == outcomes.count("sent")
    assert row.attempts == len(outcomes)


def test_a_sent_part_keeps_its_message_id_for_threading(store: Store) -> None:
    store.ensure_deliveries(DAY, "slack", [("C1", Variant.FULL)], PARTS)
    (claimed,) = store.claim(DAY, "slack", "w1", limit=1, lease_seconds=60)
    _steps(store, PartStep.in_flight(claimed.id, 0))
    _steps(store, PartStep.sent(claimed.id, 0, "1712345678.000100"), PartStep.release(claimed.id))
    (again,) = store.claim(DAY, "slack", "w2", limit=1, lease_seconds=60)
    assert again.parts[0].provider_message_id == "1712345678.000100"
    assert [p.index for p in again.unsent_parts] == [1, 2]


def test_a_retried_attempt_counts_and_keeps_the_error(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    claimed = _only(store)
    _steps(store, PartStep.in_flight(claimed.id, 0))
    # A retry and the next attempt may be committed together: in that order.
    _steps(
        store,
        PartStep.retrying(claimed.id, 0, "429 retry after 3s"),
        PartStep.in_flight(claimed.id, 0),
    )
    _steps(store, PartStep.sent(claimed.id, 0, "m"))
    (row,) = store.log()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "429 retry after 3s")


def test_marking_a_part_that_does_not_exist_raises(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    claimed = _only(store)
    with pytest.raises(LookupError):
        _steps(store, PartStep.sent(claimed.id, 5, "m"))


def test_skipping_a_delivery_skips_every_unsent_part(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.FULL)], PARTS)
    claimed = _only(store)
    _steps(store, PartStep.in_flight(claimed.id, 0))
    _steps(store, PartStep.sent(claimed.id, 0, "m"))
    _steps(store, PartStep.skipped(claimed.id, "bot was blocked by the user"))
    (row,) = store.log()
    assert (row.status, row.parts_sent, row.last_error) == (
        Status.SKIPPED,
        1,
        "bot was blocked by the user",
    )


def test_long_errors_are_clipped(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    claimed = _only(store)
    _steps(store, PartStep.failed(claimed.id, 0, "x" * 50_000, permanent=True))
    (row,) = store.log()
    assert row.last_error is not None and len(row.last_error) <= 2000


# --- crashes, uncertainty and operator resets ---------------------------------------------------


def test_a_part_in_flight_when_its_owner_vanished_becomes_uncertain_not_resent(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP5), ("b", Variant.TOP3)], PARTS)
    crashed = store.claim(DAY, "telegram", "w1", limit=1, lease_seconds=60)[0]
    _steps(store, PartStep.in_flight(crashed.id, 0))  # ...and the process dies here
    clock.advance(61)
    resumed = store.claim(DAY, "telegram", "w2", limit=10, lease_seconds=60)
    assert [c.target for c in resumed] == ["b"]
    (row,) = store.log(status=Status.UNCERTAIN)
    assert row.target == "a" and row.last_error is not None and "in flight" in row.last_error


def test_uncertain_deliveries_are_claimed_only_when_asked(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    claimed = _only(store)
    _steps(store, PartStep.in_flight(claimed.id, 0))
    _steps(store, PartStep.uncertain(claimed.id, 0, "read timeout"), PartStep.release(claimed.id))
    assert store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60) == []
    again = _only(store, "w2", include_uncertain=True)
    assert again.status is Status.UNCERTAIN
    assert again.parts[0].status is Status.UNCERTAIN


def test_reset_uncertain_reopens_only_uncertain_parts(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP5), ("b", Variant.TOP3)], PARTS)
    a, b = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)
    _steps(
        store,
        PartStep.sent(a.id, 0, "m"),
        PartStep.uncertain(a.id, 1, "timeout"),
        PartStep.failed(b.id, 0, "chat not found", permanent=True),
    )
    assert store.reset_uncertain(DAY) == 1
    assert store.reset_uncertain(DAY) == 0
    (again,) = store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60)
    assert again.target == "a"
    assert [(p.index, p.status) for p in again.unsent_parts] == [(1, Status.PENDING)]


def test_retry_reopens_transient_failures_but_never_permanent_ones(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3), ("b", Variant.TOP3)], PARTS)
    a, b = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)
    _steps(
        store,
        PartStep.failed(a.id, 0, "502 bad gateway x5", permanent=False),
        PartStep.failed(b.id, 0, "chat not found", permanent=True),
    )
    assert store.summary(DAY) == {"telegram": Counter({Status.FAILED: 2})}
    assert store.reset_failed_transient(DAY, channel="slack") == 0
    assert store.reset_failed_transient(DAY) == 1
    assert [c.target for c in store.claim(DAY, "telegram", "w2", 5, 60)] == ["a"]


# --- what log, summary and the rate limiter read -----------------------------------------------


def test_sent_since_lists_recent_sends_for_rate_limit_warm_up(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(3), PARTS)
    store.ensure_deliveries(DAY, "slack", _targets(1), PARTS)
    tg = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=600)
    (sl,) = store.claim(DAY, "slack", "w1", limit=5, lease_seconds=600)
    _steps(store, PartStep.sent(tg[0].id, 0, "m0"))
    clock.advance(90)
    minute_ago = clock.now - dt.timedelta(seconds=60)
    _steps(store, PartStep.sent(tg[1].id, 0, "m1"), PartStep.sent(sl.id, 0, "s"))
    clock.advance(1)
    _steps(store, PartStep.sent(tg[2].id, 0, "m2"))
    recent = store.sent_since("telegram", minute_ago)
    assert [t for t, _ in recent] == ["chat-1", "chat-2"]
    assert all(at.tzinfo is not None and at >= minute_ago for _, at in recent)


def test_log_filters_by_day_channel_and_status(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(2), PARTS)
    store.ensure_deliveries(DAY, "email", [("r@example.org", Variant.FULL)], PARTS)
    store.ensure_deliveries(DAY - dt.timedelta(days=1), "telegram", _targets(1), PARTS)
    first, _ = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)
    _steps(store, PartStep.sent(first.id, 0, "m"))
    assert len(list(store.log())) == 4
    assert len(list(store.log(issue_date=DAY))) == 3
    assert [r.target for r in store.log(channel="email")] == ["r@example.org"]
    assert [r.target for r in store.log(issue_date=DAY, status="sent")] == ["chat-0"]
    assert store.summary(DAY) == {
        "telegram": Counter({Status.SENT: 1, Status.PENDING: 1}),
        "email": Counter({Status.PENDING: 1}),
    }


def test_times_come_back_as_aware_utc(store: Store, clock: FakeClock) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(1), PARTS)
    claimed = _only(store)
    assert claimed.lease_expires_at == clock.now + dt.timedelta(seconds=60)
    assert claimed.lease_expires_at.utcoffset() == dt.timedelta(0)


# --- steps in groups, fenced by the lease -------------------------------------------------------


def test_a_worker_that_lost_its_lease_cannot_write_over_the_new_owner(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], PARTS)
    (stale,) = store.claim(DAY, "telegram", "w1", limit=1, lease_seconds=60)
    clock.advance(61)  # w1 stalled past its lease; w2 takes the row over
    (fresh,) = store.claim(DAY, "telegram", "w2", limit=1, lease_seconds=60)
    assert fresh.id == stale.id

    assert store.record_steps("w1", [PartStep.in_flight(stale.id, 0)]) == [False]
    assert store.record_steps("w1", [PartStep.failed(stale.id, 0, "x", permanent=True)]) == [False]
    _steps(store, PartStep.in_flight(fresh.id, 0), owner="w2")
    _steps(store, PartStep.sent(fresh.id, 0, "m"), owner="w2")
    (row,) = store.log()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, None)


def test_one_group_writes_many_deliveries_and_refuses_only_the_foreign_ones(
    store: Store,
) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(4), PARTS)
    mine = store.claim(DAY, "telegram", "w1", limit=3, lease_seconds=60)
    (theirs,) = store.claim(DAY, "telegram", "w2", limit=3, lease_seconds=60)
    written = store.record_steps(
        "w1",
        [
            PartStep.sent(mine[0].id, 0, "m0"),
            PartStep.in_flight(theirs.id, 0),
            PartStep.failed(mine[1].id, 0, "chat not found", permanent=True),
            PartStep.in_flight(mine[2].id, 0),
        ],
    )
    assert written == [True, False, True, True]
    statuses = {row.target: (row.status, row.attempts) for row in store.log()}
    assert statuses == {
        "chat-0": (Status.SENT, 0),
        "chat-1": (Status.FAILED, 0),
        "chat-2": (Status.PENDING, 1),
        "chat-3": (Status.PENDING, 0),
    }


def test_a_released_row_is_claimable_and_its_part_in_flight_turns_uncertain(
    store: Store,
) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP5), ("b", Variant.TOP5)], PARTS)
    a, b = store.claim(DAY, "telegram", "w1", limit=2, lease_seconds=60)
    # Shutting down: a's second part was out when w1 stopped, b never started.
    _steps(store, PartStep.sent(a.id, 0, "m"), PartStep.in_flight(a.id, 1))
    _steps(store, PartStep.release(a.id), PartStep.release(b.id))
    (again,) = store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60)
    assert again.target == "b"
    assert {row.target: row.status for row in store.log()} == {
        "a": Status.UNCERTAIN,
        "b": Status.PENDING,
    }


def test_finished_rows_keep_their_sender_but_do_not_count_as_held(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(2), PARTS)
    done, held = store.claim(DAY, "telegram", "w1", limit=2, lease_seconds=60)
    _steps(store, PartStep.sent(done.id, 0, "m"))
    assert store.lease_owners(DAY, "telegram") == {"w1"}
    _steps(store, PartStep.sent(held.id, 0, "m"))
    assert store.lease_owners(DAY, "telegram") == set()


def test_break_leases_frees_a_dead_workers_rows_at_once(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(3), PARTS)
    store.claim(DAY, "telegram", "host:1:dead", limit=2, lease_seconds=600)
    assert store.break_leases("host:1:dead") == 2
    assert len(store.claim(DAY, "telegram", "w2", limit=5, lease_seconds=60)) == 3


def test_break_leases_on_one_issue_and_channel_leaves_the_owners_other_rows_alone(
    store: Store,
) -> None:
    store.ensure_deliveries(DAY, "telegram", _targets(2), PARTS)
    store.ensure_deliveries(DAY, "slack", _targets(2), PARTS)
    store.claim(DAY, "telegram", "w1", limit=2, lease_seconds=600)
    store.claim(DAY, "slack", "w1", limit=2, lease_seconds=600)
    assert store.break_leases("w1", DAY, "telegram") == 2
    assert store.lease_owners(DAY, "slack") == {"w1"}
    assert store.lease_owners(DAY, "telegram") == set()
