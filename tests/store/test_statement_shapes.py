"""What the ledger's hot paths say to the database, counted on the wire (SQLAlchemy's
`before_cursor_execute`): a claim without crash leftovers is three statements, one-part
outcomes update each delivery once, and on PostgreSQL no statement's text grows with the
number of rows it covers (psycopg parses every new text again; issue 14's 20,000 targets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from digestbot.model import Channel, Variant
from digestbot.store import PartStep, Store
from digestbot.store.models import delivery_parts

DAY = dt.date(2026, 4, 20)
ONE_PART = {v: 1 for v in Variant}


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def chats(first: int, n: int) -> list[tuple[str, Variant]]:
    return [(str(first + i), Variant.TOP5) for i in range(n)]


def test_a_claim_of_rows_nobody_left_in_flight_is_three_statements(store: Store) -> None:
    store.ensure_deliveries(DAY, Channel.TELEGRAM, chats(1000, 40), ONE_PART)
    with statements(store) as seen:
        claimed = store.claim(DAY, Channel.TELEGRAM, "w1", 40, 60)
    assert len(claimed) == 40
    assert len(seen) == 3, seen  # candidates, their leases, their parts


def test_one_part_outcomes_write_each_delivery_once(store: Store) -> None:
    store.ensure_deliveries(DAY, Channel.TELEGRAM, chats(1000, 5), ONE_PART)
    claimed = store.claim(DAY, Channel.TELEGRAM, "w1", 5, 60)
    store.record_steps("w1", [PartStep.in_flight(c.id, 0) for c in claimed])
    with statements(store) as seen:
        store.record_steps("w1", [PartStep.sent(c.id, 0, f"m{c.id}") for c in claimed])
    updates_of_deliveries = [s for s in seen if s.lstrip().upper().startswith("UPDATE DELIVERIES")]
    assert len(updates_of_deliveries) == 1, seen  # status and held revision, one executemany
    holding = store.summary(DAY)[Channel.TELEGRAM]
    assert sum(holding.values()) == 5


def test_on_postgresql_statement_texts_do_not_grow_with_the_rows(store: Store) -> None:
    if store.dialect != "postgresql":
        return  # SQLite binds values natively: an expanding IN costs it nothing to parse
    texts: dict[int, set[str]] = {}
    for first, n in ((10_000, 3), (20_000, 700)):
        with statements(store) as seen:
            store.ensure_deliveries(DAY, Channel.TELEGRAM, chats(first, n), ONE_PART)
            store.inactive_targets(Channel.TELEGRAM, [t for t, _ in chats(first, n)])
            claimed = store.claim(DAY, Channel.TELEGRAM, f"w{n}", n, 60)
            store.record_steps(f"w{n}", [PartStep.in_flight(c.id, 0) for c in claimed])
        texts[n] = set(seen)
    assert texts[3] == texts[700]


def test_an_outcome_and_the_next_in_flight_mark_are_one_update_of_parts(store: Store) -> None:
    """The email path's group: one part's outcome and the next send's in-flight mark."""
    store.ensure_deliveries(DAY, Channel.EMAIL, chats(1000, 2), ONE_PART)
    first, second = store.claim(DAY, Channel.EMAIL, "w1", 2, 60)
    store.record_steps("w1", [PartStep.in_flight(first.id, 0)])
    with statements(store) as seen:
        store.record_steps(
            "w1", [PartStep.sent(first.id, 0, "m1"), PartStep.in_flight(second.id, 0)]
        )
    updates_of_parts = [s for s in seen if s.lstrip().upper().startswith("UPDATE DELIVERY_PARTS")]
    assert len(updates_of_parts) == 1, seen
    with store.engine.connect() as conn:
        parts = {
            row.delivery_id: row
            for row in conn.execute(select(delivery_parts).where(delivery_parts.c.part_index == 0))
        }
    assert (parts[first.id].status, parts[first.id].provider_message_id) == ("sent", "m1")
    assert parts[first.id].sent_at is not None and parts[first.id].attempts == 1
    assert (parts[second.id].status, parts[second.id].attempts) == ("pending", 1)
    assert parts[second.id].in_flight_at is not None and parts[second.id].sent_at is None
