"""Subscribers: joining, leaving, variants, streaming a large audience, and targets that move."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, insert

from digestbot.model import Channel, Variant
from digestbot.store import PartStep, Status, Store, follow_migration
from digestbot.store.models import subscribers
from tests.store.conftest import FakeClock

DAY = dt.date(2026, 4, 20)
PARTS = {Variant.TOP3: 1, Variant.TOP5: 2, Variant.FULL: 3}


def test_a_reader_joins_changes_variant_leaves_and_rejoins(store: Store, clock: FakeClock) -> None:
    assert store.subscribe("telegram", "42", Variant.TOP5, display_name="Ada") is True
    assert store.subscribe("telegram", "42", Variant.TOP5) is False  # already in
    assert store.set_variant("telegram", "42", Variant.FULL) is True
    assert list(store.iter_active_subscribers("telegram")) == [("42", Variant.FULL)]

    clock.advance(3600)
    assert store.unsubscribe("telegram", "42") is True
    assert store.unsubscribe("telegram", "42") is False
    gone = store.get_subscriber("telegram", "42")
    assert gone is not None and not gone.active
    assert (gone.left_at, gone.left_reason, gone.display_name) == (clock.now, "unsubscribed", "Ada")
    assert list(store.iter_active_subscribers("telegram")) == []

    clock.advance(60)
    assert store.subscribe("telegram", "42", Variant.TOP3) is True
    back = store.get_subscriber("telegram", "42")
    assert back is not None and back.active and back.left_at is None
    assert (back.joined_at, back.variant) == (clock.now, Variant.TOP3)


def test_deactivation_keeps_the_reason(store: Store) -> None:
    store.subscribe("telegram", "7", Variant.TOP3)
    assert store.deactivate("telegram", "7", "bot was blocked by the user") is True
    row = store.get_subscriber("telegram", "7")
    assert row is not None and row.left_reason == "bot was blocked by the user"
    assert store.count_active_subscribers("telegram") == 0


def test_unknown_readers_are_reported_not_created(store: Store) -> None:
    assert store.get_subscriber("slack", "C1") is None
    assert store.set_variant("slack", "C1", Variant.FULL) is False
    assert store.deactivate("slack", "C1", "gone") is False


def test_subscribers_are_kept_per_channel(store: Store) -> None:
    store.subscribe("telegram", "x", Variant.TOP3)
    store.subscribe("email", "x", Variant.FULL)
    store.unsubscribe("telegram", "x")
    assert list(store.iter_active_subscribers("email")) == [("x", Variant.FULL)]


def test_ten_thousand_subscribers_stream_in_batches(store: Store) -> None:
    now = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    rows = [
        {
            "channel": "email",
            "target": f"r{i:05d}@example.org",
            "variant": "top5",
            "active": i % 10 != 0,  # every tenth reader has left
            "joined_at": now,
        }
        for i in range(10_000)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(subscribers), rows)

    selects: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "subscribers" in statement:
            selects.append(statement)

    stream = store.iter_active_subscribers("email", batch=1000)
    first = next(stream)
    assert first == ("r00001@example.org", Variant.TOP5)
    assert len(selects) == 1  # only the first page has been read
    rest = list(stream)
    assert len(rest) + 1 == 9000
    assert len({t for t, _ in rest}) == 8999
    assert len(selects) == 10  # 9000 rows in pages of 1000, the last page short-circuits
    event.remove(store.engine, "before_cursor_execute", count)


def test_a_migrated_target_redirects_static_targets_subscribers_and_pending_work(
    store: Store,
) -> None:
    store.subscribe("telegram", "-100", Variant.TOP5)
    store.ensure_deliveries(DAY, "telegram", [("-100", Variant.TOP5)], PARTS)
    (claimed,) = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)

    follow_migration(store, store, Channel.TELEGRAM, "-100", "-1009")

    assert store.resolve_targets("telegram", ["-100", "-555"]) == {"-100": "-1009", "-555": "-555"}
    assert store.resolve_targets("slack", ["-100"]) == {"-100": "-100"}
    assert list(store.iter_active_subscribers("telegram")) == [("-1009", Variant.TOP5)]
    (row,) = store.log()
    assert (row.id, row.target, row.status) == (claimed.id, "-1009", Status.PENDING)
    # The static target from the config file still says -100: the next publish follows it.
    tomorrow = DAY + dt.timedelta(days=1)
    store.ensure_deliveries(tomorrow, "telegram", [("-100", Variant.TOP5)], PARTS)
    assert [r.target for r in store.log(issue_date=tomorrow)] == ["-1009"]


def test_migrations_chain_and_never_loop(store: Store) -> None:
    store.migrate_target("telegram", "a", "b")
    store.migrate_target("telegram", "b", "c")
    assert store.resolve_targets("telegram", ["a"]) == {"a": "c"}
    store.migrate_target("telegram", "c", "a")  # pathological: moved back
    assert store.resolve_targets("telegram", ["a", "b"]) == {"a": "a", "b": "a"}


def test_migrating_onto_an_existing_reader_keeps_one_delivery_per_day(store: Store) -> None:
    store.subscribe("telegram", "old", Variant.TOP3)
    store.subscribe("telegram", "new", Variant.TOP3)
    store.ensure_deliveries(DAY, "telegram", [("old", Variant.TOP3), ("new", Variant.TOP3)], PARTS)
    follow_migration(store, store, Channel.TELEGRAM, "old", "new")
    assert list(store.iter_active_subscribers("telegram")) == [("new", Variant.TOP3)]
    statuses = {r.target: r.status for r in store.log()}
    assert statuses == {"old": Status.SKIPPED, "new": Status.PENDING}


def test_sent_deliveries_keep_the_target_they_were_sent_to(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("old", Variant.TOP3)], PARTS)
    (claimed,) = store.claim(DAY, "telegram", "w1", limit=5, lease_seconds=60)
    assert store.record_steps("w1", [PartStep.sent(claimed.id, 0, "m")]) == [True]
    follow_migration(store, store, Channel.TELEGRAM, "old", "new")
    assert [r.target for r in store.log()] == ["old"]


def test_the_subscriber_half_of_a_migration_leaves_the_ledger_rows_alone(store: Store) -> None:
    """Delivery rows are the ledger's: only `move_deliveries` (through the Ledger's own
    interface) moves them, never the subscriber book behind its back."""
    store.subscribe("telegram", "old", Variant.TOP3)
    store.ensure_deliveries(DAY, "telegram", [("old", Variant.TOP3)], PARTS)
    before = [(r.target, r.status, r.updated_at) for r in store.log()]

    store.migrate_target("telegram", "old", "new")

    assert [(r.target, r.status, r.updated_at) for r in store.log()] == before
    assert list(store.iter_active_subscribers("telegram")) == [("new", Variant.TOP3)]
    store.move_deliveries(Channel.TELEGRAM, "old", "new")
    assert [(r.target, r.status) for r in store.log()] == [("new", Status.PENDING)]


def test_inactive_targets_answers_for_a_whole_list_at_once(store: Store) -> None:
    for target in ("1", "2", "3"):
        store.subscribe("telegram", target, Variant.TOP3)
    store.unsubscribe("telegram", "2")
    store.deactivate("telegram", "3", "bot was blocked by the user")
    store.subscribe("slack", "1", Variant.TOP3)
    store.unsubscribe("slack", "1")
    listed = [str(i) for i in range(1, 1200)]  # more than one IN (...) chunk
    assert store.inactive_targets("telegram", listed) == {"2", "3"}
    assert store.inactive_targets("telegram", iter(["9", "2"])) == {"2"}
