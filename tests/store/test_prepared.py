"""Prepared statements (`store.prepared`) bind exactly what SQLAlchemy would: a time shared by
every row and one per row (SQLite stores them as text in SQLAlchemy's format), a boolean, a
statement's own literal; a prepared query with a list (`sets.among`) reads its rows back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
)
from sqlalchemy import Column as SAColumn

from digestbot.store import Store
from digestbot.store.prepared import Prepared
from digestbot.store.sets import among
from digestbot.store.types import UTCDateTime

AT = dt.datetime(2026, 4, 20, 9, 15, 30, 123456, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 4, 20, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))

PROBE = Table(
    "prepared_probe",
    MetaData(),
    SAColumn("id", Integer, primary_key=True),
    SAColumn("at", UTCDateTime),
    SAColumn("other", UTCDateTime),
    SAColumn("flag", Boolean),
    SAColumn("word", String(16)),
)
_VALUES = {
    "id": bindparam("p_id"),
    "at": bindparam("p_at"),
    "other": bindparam("p_other"),
    "flag": bindparam("p_flag"),
    "word": "fixed",  # a literal of the statement itself
}


@pytest.fixture
def probe(store: Store) -> Iterator[Store]:
    PROBE.metadata.create_all(store.engine)
    yield store
    PROBE.metadata.drop_all(store.engine)


def test_prepared_rows_are_stored_as_sqlalchemy_stores_them(probe: Store) -> None:
    rows: list[dict[str, Any]] = [
        {"p_id": 1, "p_other": LATER, "p_flag": True},
        {"p_id": 2, "p_other": None, "p_flag": False},
    ]
    with probe.engine.begin() as conn:
        Prepared(insert(PROBE).values(**_VALUES)).run_many(conn, rows, {"p_at": AT})
        conn.execute(
            insert(PROBE).values(**_VALUES),
            [{**row, "p_id": row["p_id"] + 10, "p_at": AT} for row in rows],
        )
    with probe.engine.connect() as conn:
        read = {row.id: row[1:] for row in conn.execute(select(PROBE))}
        as_text = select(PROBE.c.id, PROBE.c.at.cast(String), PROBE.c.other.cast(String))
        stored = {i: (at, other) for i, at, other in conn.execute(as_text)}
    assert read[1] == (AT, LATER, True, "fixed")
    assert read[2] == (AT, None, False, "fixed")
    assert (read[1], read[2]) == (read[11], read[12])  # as SQLAlchemy's own executemany
    # The same text on SQLite (a whole second too: "…:00.000000"), so comparisons stay right.
    assert (stored[1], stored[2]) == (stored[11], stored[12])


def test_a_prepared_query_reads_rows_of_a_list(probe: Store) -> None:
    with probe.engine.begin() as conn:
        conn.execute(
            insert(PROBE),
            [{"id": i, "at": AT, "flag": i % 2 == 0, "word": f"w{i}"} for i in range(1, 6)],
        )
        query = Prepared(
            select(PROBE.c.id, PROBE.c.word)
            .where(among(PROBE.c.id, "p_ids", probe.dialect), PROBE.c.at <= bindparam("p_at"))
            .order_by(PROBE.c.id)
        )
        assert query.query(conn, {"p_ids": [2, 4, 9]}, {"p_at": AT}) == [(2, "w2"), (4, "w4")]
        assert query.query(conn, {"p_ids": []}, {"p_at": AT}) == []
        assert query.query(conn, {"p_ids": [5]}, {"p_at": AT - dt.timedelta(1)}) == []
