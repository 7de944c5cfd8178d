"""What is to be sent: intent rows before the first send, unfinished rows following a target
that moved, and rows reopened for `retry`."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Insert,
    Integer,
    String,
    Table,
    bindparam,
    false,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import MIGRATED, StoreBase
from digestbot.store.dialects import dialect_insert
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.overall import recompute
from digestbot.store.records import PartAction, Status
from digestbot.store.sets import among, array_param
from digestbot.store.subscribers import alias_map, follow_alias
from digestbot.store.types import UTCDateTime

D = deliveries
P = delivery_parts
ENSURE_BATCH = 500  # rows per INSERT: well under SQLite's and PostgreSQL's parameter caps




@cache
def _parts_of_new(dialect: str) -> Insert:
    """New parts as INSERT … SELECT from their new deliveries: per part index, one statement
    whatever the number of rows."""
    return insert(P).from_select(
        ["delivery_id", "part_index", "action", "status", "attempts", "permanent", "updated_at"],
        select(
            D.c.id,
            bindparam("w_index", type_=Integer),
            literal(PartAction.SEND.value),
            literal(Status.PENDING.value),
            literal(0),
            false(),
            bindparam("w_now", type_=UTCDateTime),
        ).where(among(D.c.id, "w_ids", dialect), D.c.parts_total > bindparam("w_index")),
    )


@cache
def _insert_new_pg() -> Insert:
    """PostgreSQL: a batch of new rows is three arrays (target, variant, parts), unnested into
    one INSERT … SELECT; the text is the same for every batch (see `sets`). Built on first use:
    a SQLite store never imports the PostgreSQL dialect."""
    new_rows = (
        func.unnest(
            array_param("w_targets", String()),
            array_param("w_variants", String()),
            array_param("w_totals", Integer()),
        )
        .table_valued("target", "variant", "parts_total")
        .render_derived(with_types=False)
    )
    return (
        dialect_insert("postgresql", D)
        .from_select(
            [
                "issue_date", "channel", "target", "variant", "status", "parts_total", "revision",
                "created_at", "updated_at",
            ],
            select(
                bindparam("w_date", type_=Date),
                bindparam("w_channel", type_=String),
                new_rows.c.target,
                new_rows.c.variant,
                literal(Status.PENDING.value),
                new_rows.c.parts_total,
                bindparam("w_revision", type_=Integer),
                bindparam("w_now", type_=UTCDateTime),
                bindparam("w_now", type_=UTCDateTime),
            ),
        )
        .on_conflict_do_nothing()
        .returning(D.c.id)
    )  # fmt: skip


class DeliveryIntents(StoreBase):
    # --- intent ---------------------------------------------------------------------------

    def ensure_deliveries(
        self,
        issue_date: dt.date,
        channel: Channel,
        variant_targets: Iterable[tuple[str, Variant]],
        parts_total_by_variant: Mapping[Variant, int],
        revision: int = 1,
    ) -> int:
        """Record the intent to send `issue_date` to every (target, variant), with its parts.

        Idempotent: rows that exist are left untouched (their progress is the truth), so a
        second publish inserts nothing. New rows carry `revision` of the issue. Consumes
        `variant_targets` lazily in batches, so a generator over 100k subscribers never sits
        in memory. Targets that migrated (see
        `migrate_target`) are recorded under their new id. Returns the number of new rows."""
        with self._read() as conn:
            aliases = alias_map(conn, channel)
        totals = {Variant(v): n for v, n in parts_total_by_variant.items()}
        inserted = 0
        iterator = iter(variant_targets)
        while chunk := list(itertools.islice(iterator, ENSURE_BATCH)):
            now = self.now()
            rows = []
            for target, variant in chunk:
                total = totals.get(Variant(variant))
                if total is None or total < 1:
                    raise ValueError(f"no parts count (>= 1) given for variant {variant}")
                rows.append(
                    {
                        "issue_date": issue_date,
                        "channel": channel,
                        "target": follow_alias(aliases, str(target)),
                        "variant": Variant(variant).value,
                        "status": Status.PENDING.value,
                        "parts_total": total,
                        "revision": revision,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            with self._write() as conn:
                new = self._insert_new(conn, rows)
                if new:
                    # The database makes the parts from the new rows, one statement per part
                    # index, rather than being sent one parameter set per part.
                    parts = _parts_of_new(self.dialect)
                    for index in range(max(totals.values())):
                        conn.execute(parts, {"w_ids": new, "w_index": index, "w_now": now})
            inserted += len(new)
        return inserted

    def _insert_new(self, conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the rows not there yet; the ids of those inserted."""
        if self.dialect == "postgresql":
            first = rows[0]
            params = {
                "w_date": first["issue_date"],
                "w_channel": first["channel"],
                "w_revision": first["revision"],
                "w_now": first["created_at"],
                "w_targets": [row["target"] for row in rows],
                "w_variants": [row["variant"] for row in rows],
                "w_totals": [row["parts_total"] for row in rows],
            }
            return list(conn.execute(_insert_new_pg(), params).scalars())
        # executemany + RETURNING ("insertmanyvalues"): one cached statement, batched by
        # SQLAlchemy, instead of compiling a fresh 500-row VALUES list every time.
        insert_new = self._insert_ignoring_conflicts(deliveries).returning(D.c.id)
        return list(conn.execute(insert_new, rows).scalars())

    def _insert_ignoring_conflicts(self, table: Table) -> Insert:
        return dialect_insert(self.dialect, table).on_conflict_do_nothing()

    # --- target moves ----------------------------------------------------------------------

    def move_deliveries(self, channel: Channel, old: str, new: str) -> None:
        """`old` became `new` (see `interfaces.follow_migration`): unfinished deliveries to `old`
        move to `new`; one that would duplicate an existing delivery to `new` is skipped."""
        if old == new:
            return
        unfinished = [Status.PENDING.value, Status.FAILED.value, Status.UNCERTAIN.value]
        with self._write() as conn:
            now = self.now()
            rows = conn.execute(
                select(D.c.id, D.c.issue_date, D.c.variant).where(
                    D.c.channel == channel, D.c.target == old, D.c.status.in_(unfinished)
                )
            ).all()
            for row in rows:
                clash = conn.execute(
                    select(D.c.id).where(
                        D.c.issue_date == row.issue_date,
                        D.c.channel == channel,
                        D.c.target == new,
                        D.c.variant == row.variant,
                    )
                ).first()
                if clash is None:
                    conn.execute(
                        update(D).where(D.c.id == row.id).values(target=new, updated_at=now)
                    )
                    continue
                conn.execute(
                    update(P)
                    .where(P.c.delivery_id == row.id, P.c.status != Status.SENT.value)
                    .values(status=Status.SKIPPED.value, last_error=f"{MIGRATED} to {new}")
                )
                conn.execute(
                    update(D)
                    .where(D.c.id == row.id)
                    .values(status=Status.SKIPPED.value, updated_at=now)
                )

    # --- operator resets ------------------------------------------------------------------

    def reset_uncertain(self, issue_date: dt.date, channel: Channel | None = None) -> int:
        """`retry --uncertain`: uncertain parts become pending again (the operator accepts a
        possible duplicate). Returns how many deliveries reopened."""
        return self._reset_parts(issue_date, channel, P.c.status == Status.UNCERTAIN.value)

    def reset_failed_transient(self, issue_date: dt.date, channel: Channel | None = None) -> int:
        """`retry`: parts that failed for a transient reason become pending again."""
        return self._reset_parts(
            issue_date,
            channel,
            (P.c.status == Status.FAILED.value) & P.c.permanent.is_(False),
        )

    def _reset_parts(self, issue_date: dt.date, channel: Channel | None, which: Any) -> int:
        with self._write() as conn:
            now = self.now()
            scope = select(D.c.id).where(D.c.issue_date == issue_date)
            if channel is not None:
                scope = scope.where(D.c.channel == channel)
            ids = list(
                conn.execute(
                    select(P.c.delivery_id).distinct().where(P.c.delivery_id.in_(scope), which)
                ).scalars()
            )
            if not ids:
                return 0
            conn.execute(
                update(P)
                .where(P.c.delivery_id.in_(ids), which)
                .values(status=Status.PENDING.value, in_flight_at=None, updated_at=now)
            )
            conn.execute(
                update(D)
                .where(D.c.id.in_(ids))
                .values(lease_owner=None, lease_expires_at=None, updated_at=now)
            )
            recompute(conn, ids, now)
            return len(ids)

    # --- aliases (written by SubscriberBook.migrate_target, read here) ---------------------


__all__ = ["ENSURE_BATCH", "DeliveryIntents"]
