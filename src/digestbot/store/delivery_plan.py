"""What is to be sent: intent rows before the first send, unfinished rows following a target
that moved, and rows reopened for `retry`."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from digestbot.model import Channel, Variant
from digestbot.store.base import MIGRATED, StoreBase
from digestbot.store.models import Delivery, deliveries, delivery_parts, target_aliases
from digestbot.store.overall import recompute
from digestbot.store.records import Status

D = deliveries
P = delivery_parts
ENSURE_BATCH = 500  # rows per INSERT: well under SQLite's and PostgreSQL's parameter caps


class DeliveryIntents(StoreBase):
    # --- intent ---------------------------------------------------------------------------

    def ensure_deliveries(
        self,
        issue_date: dt.date,
        channel: Channel,
        variant_targets: Iterable[tuple[str, Variant]],
        parts_total_by_variant: Mapping[Variant, int],
    ) -> int:
        """Record the intent to send `issue_date` to every (target, variant), with its parts.

        Idempotent: rows that exist are left untouched (their progress is the truth), so a
        second publish inserts nothing. Consumes `variant_targets` lazily in batches, so a
        generator over 100k subscribers never sits in memory. Targets that migrated (see
        `migrate_target`) are recorded under their new id. Returns the number of new rows."""
        aliases = self._aliases(channel)
        inserted = 0
        iterator = iter(variant_targets)
        while chunk := list(itertools.islice(iterator, ENSURE_BATCH)):
            now = self.now()
            rows = []
            for target, variant in chunk:
                variant = Variant(variant)
                total = parts_total_by_variant.get(variant)
                if total is None or total < 1:
                    raise ValueError(f"no parts count (>= 1) given for variant {variant}")
                rows.append(
                    {
                        "issue_date": issue_date,
                        "channel": channel,
                        "target": _follow(aliases, str(target)),
                        "variant": variant.value,
                        "status": Status.PENDING.value,
                        "parts_total": total,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            with self._write() as conn:
                # executemany + RETURNING ("insertmanyvalues"): one cached statement, batched
                # by SQLAlchemy, instead of compiling a fresh 500-row VALUES list every time.
                stmt = self._insert_ignoring_conflicts(Delivery).returning(D.c.id, D.c.parts_total)
                new = conn.execute(stmt, rows).all()
                parts = [
                    {
                        "delivery_id": delivery_id,
                        "part_index": index,
                        "status": Status.PENDING.value,
                        "attempts": 0,
                        "permanent": False,
                        "updated_at": now,
                    }
                    for delivery_id, total in new
                    for index in range(total)
                ]
                if parts:
                    conn.execute(P.insert(), parts)
            inserted += len(new)
        return inserted

    def _insert_ignoring_conflicts(self, model: type[Any]) -> Insert:
        if self.dialect == "postgresql":
            return postgresql.insert(model).on_conflict_do_nothing()
        return sqlite.insert(model).on_conflict_do_nothing()

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

    def _aliases(self, channel: Channel) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                select(target_aliases.c.old_target, target_aliases.c.new_target).where(
                    target_aliases.c.channel == channel
                )
            )
            return {old: new for old, new in rows}


def _follow(aliases: Mapping[str, str], target: str) -> str:
    seen = {target}
    while (target := aliases.get(target, target)) not in seen:
        seen.add(target)
    return target


__all__ = ["ENSURE_BATCH", "DeliveryIntents"]
