"""The delivery ledger: intent rows, leases, per-part outcomes, and what `log`/`retry` read."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Update, bindparam, case, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import MIGRATED, StoreBase, clip_error
from digestbot.store.models import Delivery, deliveries, delivery_parts, target_aliases
from digestbot.store.records import (
    OVERALL_PRECEDENCE,
    ClaimedDelivery,
    LogRow,
    PartState,
    Status,
)

D = deliveries
P = delivery_parts
ENSURE_BATCH = 500  # rows per INSERT: well under SQLite's and PostgreSQL's parameter caps
LOG_FETCH = 500
CRASHED_IN_FLIGHT = (
    "the sending process stopped while this part was in flight; it may or may not have arrived"
)


class DeliveryLedger(StoreBase):
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

    # --- leases ---------------------------------------------------------------------------

    def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        include_uncertain: bool = False,
    ) -> list[ClaimedDelivery]:
        """Lease up to `limit` unfinished deliveries whose lease is free or expired.

        Two owners never hold the same row: PostgreSQL locks candidates with
        `FOR UPDATE SKIP LOCKED`; SQLite runs the whole claim under its write lock. A row whose
        previous owner vanished with a part in flight turns `uncertain` here (that request may
        have arrived) and is only handed out when `include_uncertain` is set."""
        wanted = {Status.PENDING.value}
        if include_uncertain:
            wanted.add(Status.UNCERTAIN.value)
        claimed: list[int] = []
        with self._write() as conn:
            now = self.now()
            expires = now + dt.timedelta(seconds=lease_seconds)
            while len(claimed) < limit:
                candidates = list(
                    conn.execute(
                        select(D.c.id)
                        .where(
                            D.c.issue_date == issue_date,
                            D.c.channel == channel,
                            D.c.status.in_(wanted),
                            or_(D.c.lease_expires_at.is_(None), D.c.lease_expires_at <= now),
                        )
                        .order_by(D.c.id)
                        .limit(limit - len(claimed))
                        .with_for_update(skip_locked=True)
                    ).scalars()
                )
                if not candidates:
                    break
                self._sweep_abandoned_in_flight(conn, candidates, now)
                statuses = self._recompute(conn, candidates, now)
                keep = [i for i in candidates if statuses[i] in wanted]
                if keep:
                    conn.execute(
                        update(D)
                        .where(D.c.id.in_(keep))
                        .values(lease_owner=owner, lease_expires_at=expires, updated_at=now)
                    )
                    claimed.extend(keep)
            return self._load_claimed(conn, claimed)

    def _sweep_abandoned_in_flight(
        self, conn: Connection, delivery_ids: Sequence[int], now: dt.datetime
    ) -> None:
        conn.execute(
            update(P)
            .where(
                P.c.delivery_id.in_(delivery_ids),
                P.c.status == Status.PENDING.value,
                P.c.in_flight_at.is_not(None),
            )
            .values(status=Status.UNCERTAIN.value, last_error=CRASHED_IN_FLIGHT, updated_at=now)
        )

    def _load_claimed(self, conn: Connection, ids: Sequence[int]) -> list[ClaimedDelivery]:
        if not ids:
            return []
        parts: dict[int, list[PartState]] = {i: [] for i in ids}
        for row in conn.execute(
            select(P).where(P.c.delivery_id.in_(ids)).order_by(P.c.delivery_id, P.c.part_index)
        ):
            parts[row.delivery_id].append(
                PartState(
                    index=row.part_index,
                    status=Status(row.status),
                    attempts=row.attempts,
                    provider_message_id=row.provider_message_id,
                    last_error=row.last_error,
                )
            )
        rows = conn.execute(select(D).where(D.c.id.in_(ids)).order_by(D.c.id))
        return [
            ClaimedDelivery(
                id=r.id,
                issue_date=r.issue_date,
                channel=Channel(r.channel),
                target=r.target,
                variant=Variant(r.variant),
                status=Status(r.status),
                parts_total=r.parts_total,
                parts=tuple(parts[r.id]),
                lease_owner=r.lease_owner,
                lease_expires_at=r.lease_expires_at,
            )
            for r in rows
        ]

    def renew_lease(self, delivery_ids: Sequence[int], owner: str, lease_seconds: float) -> int:
        """Extend the leases `owner` still holds; returns how many it still held."""
        if not delivery_ids:
            return 0
        with self._write() as conn:
            now = self.now()
            return conn.execute(
                update(D)
                .where(D.c.id.in_(delivery_ids), D.c.lease_owner == owner)
                .values(lease_expires_at=now + dt.timedelta(seconds=lease_seconds), updated_at=now)
            ).rowcount

    def release(self, delivery_ids: Sequence[int], owner: str) -> int:
        """Give leases back (done, or shutting down). Only `owner`'s own leases are touched."""
        if not delivery_ids:
            return 0
        with self._write() as conn:
            return conn.execute(
                update(D)
                .where(D.c.id.in_(delivery_ids), D.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, updated_at=self.now())
            ).rowcount

    def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]:
        """Who holds unexpired leases on unfinished deliveries of this issue and channel."""
        with self._read() as conn:
            return set(
                conn.execute(
                    select(D.c.lease_owner)
                    .distinct()
                    .where(
                        D.c.issue_date == issue_date,
                        D.c.channel == channel,
                        D.c.lease_owner.is_not(None),
                        D.c.lease_expires_at > self.now(),
                    )
                ).scalars()
            )

    def break_leases(self, owner: str) -> int:
        """Expire every lease `owner` holds: it is known dead (a killed process on this host),
        so its rows need not wait for the lease to run out."""
        with self._write() as conn:
            return conn.execute(
                update(D)
                .where(D.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, updated_at=self.now())
            ).rowcount

    # --- part outcomes ----------------------------------------------------------------------

    def mark_part_in_flight(self, delivery_id: int, part_index: int) -> None:
        """Call right before the request leaves (after the rate limiter let it go): counts the
        attempt, and a crash from here on leaves the part `uncertain`, never re-sent blindly."""
        with self._write() as conn:
            result = conn.execute(
                _IN_FLIGHT,
                {"w_delivery": delivery_id, "w_part": part_index, "w_now": self.now()},
            )
            if result.rowcount != 1:
                raise LookupError(f"no part {part_index} of delivery {delivery_id}")

    def mark_part_retrying(self, delivery_id: int, part_index: int, error: str) -> None:
        """The attempt certainly did not arrive (429, 5xx before sending, connect error) and
        will be retried: the part is no longer in flight."""
        self._update_part(
            delivery_id,
            part_index,
            {"in_flight_at": None, "last_error": clip_error(error), "updated_at": self.now()},
            recompute=False,
        )

    def mark_part_sent(self, delivery_id: int, part_index: int, message_id: str | None) -> None:
        now = self.now()
        self._update_part(
            delivery_id,
            part_index,
            {
                "status": Status.SENT.value,
                "provider_message_id": message_id,
                "sent_at": now,
                "updated_at": now,
            },
        )

    def mark_part_failed(
        self, delivery_id: int, part_index: int, error: str, permanent: bool
    ) -> None:
        """Give up on a part. `permanent` failures (chat not found, invalid auth) are never
        retried; transient ones (attempts exhausted) come back with `reset_failed_transient`."""
        self._update_part(
            delivery_id,
            part_index,
            {
                "status": Status.FAILED.value,
                "permanent": permanent,
                "in_flight_at": None,
                "last_error": clip_error(error),
                "updated_at": self.now(),
            },
        )

    def mark_part_uncertain(self, delivery_id: int, part_index: int, error: str) -> None:
        """The request left and no answer came (timeout after sending): not `sent`, and not
        re-sent unless an operator asks (`reset_uncertain`)."""
        self._update_part(
            delivery_id,
            part_index,
            {
                "status": Status.UNCERTAIN.value,
                "last_error": clip_error(error),
                "updated_at": self.now(),
            },
        )

    def mark_delivery_skipped(self, delivery_id: int, reason: str) -> None:
        """Every part not yet sent becomes `skipped` (target gone, blocked the bot…)."""
        with self._write() as conn:
            now = self.now()
            conn.execute(
                update(P)
                .where(P.c.delivery_id == delivery_id, P.c.status != Status.SENT.value)
                .values(
                    status=Status.SKIPPED.value,
                    in_flight_at=None,
                    last_error=clip_error(reason),
                    updated_at=now,
                )
            )
            self._recompute(conn, [delivery_id], now)

    def _update_part(
        self, delivery_id: int, part_index: int, values: dict[str, Any], recompute: bool = True
    ) -> None:
        # The fan-out's hot path (two calls per message): one statement object per set of
        # columns, built once, so SQLAlchemy's compiled cache is hit without rebuilding the
        # expression; the overall status is recomputed by one UPDATE … CASE.
        with self._write() as conn:
            result = conn.execute(
                _part_update(tuple(sorted(values))),
                {"w_delivery": delivery_id, "w_part": part_index, **_plain(values)},
            )
            if result.rowcount != 1:
                raise LookupError(f"no part {part_index} of delivery {delivery_id}")
            if recompute:
                conn.execute(_RECOMPUTE_ONE, {"w_delivery": delivery_id, "w_now": self.now()})

    def _recompute(
        self, conn: Connection, delivery_ids: Sequence[int], now: dt.datetime
    ) -> dict[int, str]:
        """Set each delivery's overall status from its parts; returns the new statuses."""
        overall = _overall_status_sql(D.c.id)
        conn.execute(
            update(D)
            .where(D.c.id.in_(delivery_ids), D.c.status != overall)
            .values(status=overall, updated_at=now)
        )
        rows = conn.execute(select(D.c.id, D.c.status).where(D.c.id.in_(delivery_ids)))
        return {delivery_id: status for delivery_id, status in rows}

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
            self._recompute(conn, ids, now)
            return len(ids)

    # --- reading ---------------------------------------------------------------------------

    def sent_since(self, channel: Channel, since: dt.datetime) -> list[tuple[str, dt.datetime]]:
        """(target, when the request left) of every request on `channel` at or after `since`
        that may have arrived (sent, uncertain, or in flight when a process died), oldest
        first: a restarted process feeds these to its rate limiter so it does not burst into
        limits a crashed run already used up."""
        left_at = func.coalesce(P.c.in_flight_at, P.c.sent_at)
        with self._read() as conn:
            rows = conn.execute(
                select(D.c.target, left_at)
                .join(D, D.c.id == P.c.delivery_id)
                .where(
                    D.c.channel == channel,
                    P.c.status != Status.FAILED.value,
                    left_at.is_not(None),
                    left_at >= since,
                )
                .order_by(left_at)
            )
            return [(target, when) for target, when in rows]

    def log(
        self,
        issue_date: dt.date | None = None,
        channel: Channel | None = None,
        status: Status | None = None,
    ) -> Iterator[LogRow]:
        """Stream deliveries (newest issue first), filtered. Holds one read transaction while
        iterating; close the iterator (or exhaust it) promptly."""
        parts_sent = (
            select(func.count())
            .where(P.c.delivery_id == D.c.id, P.c.status == Status.SENT.value)
            .scalar_subquery()
        )
        attempts = (
            select(func.coalesce(func.sum(P.c.attempts), 0))
            .where(P.c.delivery_id == D.c.id)
            .scalar_subquery()
        )
        last_error = (
            select(P.c.last_error)
            .where(P.c.delivery_id == D.c.id, P.c.last_error.is_not(None))
            .order_by(P.c.updated_at.desc(), P.c.part_index.desc())
            .limit(1)
            .scalar_subquery()
        )
        stmt = select(
            D.c.id,
            D.c.issue_date,
            D.c.channel,
            D.c.target,
            D.c.variant,
            D.c.status,
            D.c.parts_total,
            parts_sent.label("parts_sent"),
            attempts.label("attempts"),
            last_error.label("last_error"),
            D.c.updated_at,
        ).order_by(D.c.issue_date.desc(), D.c.channel, D.c.id)
        if issue_date is not None:
            stmt = stmt.where(D.c.issue_date == issue_date)
        if channel is not None:
            stmt = stmt.where(D.c.channel == channel)
        if status is not None:
            stmt = stmt.where(D.c.status == Status(status).value)
        with self._read() as conn:
            for r in conn.execution_options(yield_per=LOG_FETCH).execute(stmt):
                yield LogRow(
                    id=r.id,
                    issue_date=r.issue_date,
                    channel=Channel(r.channel),
                    target=r.target,
                    variant=Variant(r.variant),
                    status=Status(r.status),
                    parts_total=r.parts_total,
                    parts_sent=int(r.parts_sent),
                    attempts=int(r.attempts),
                    last_error=r.last_error,
                    updated_at=r.updated_at,
                )

    def summary(self, issue_date: dt.date) -> dict[Channel, Counter[Status]]:
        """Deliveries per channel per overall status, for the end-of-run table."""
        result: dict[Channel, Counter[Status]] = {}
        with self._read() as conn:
            for channel, status, count in conn.execute(
                select(D.c.channel, D.c.status, func.count())
                .where(D.c.issue_date == issue_date)
                .group_by(D.c.channel, D.c.status)
            ):
                result.setdefault(Channel(channel), Counter())[Status(status)] = int(count)
        return result

    # --- aliases (written by SubscriberBook.migrate_target, read here) ---------------------

    def _aliases(self, channel: Channel) -> dict[str, str]:
        with self._read() as conn:
            rows = conn.execute(
                select(target_aliases.c.old_target, target_aliases.c.new_target).where(
                    target_aliases.c.channel == channel
                )
            )
            return {old: new for old, new in rows}


@functools.cache
def _part_update(columns: tuple[str, ...]) -> Update:
    """UPDATE delivery_parts SET <columns> WHERE (delivery_id, part_index) = (…): bound by
    name, so one statement serves every part."""
    return (
        update(P)
        .where(
            P.c.delivery_id == bindparam("w_delivery"),
            P.c.part_index == bindparam("w_part"),
        )
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Bind values for `_part_update`."""
    return {f"v_{name}": value for name, value in values.items()}


_IN_FLIGHT = (
    update(P)
    .where(
        P.c.delivery_id == bindparam("w_delivery"), P.c.part_index == bindparam("w_part")
    )
    .values(
        in_flight_at=bindparam("w_now"), attempts=P.c.attempts + 1, updated_at=bindparam("w_now")
    )
)


def _overall_status_sql(delivery_id: Any) -> Any:
    """A delivery's status from its parts, by OVERALL_PRECEDENCE: the first status any part
    has wins. The one definition, used for one row (bound id) and for many (the id column)."""
    whens = [
        (
            exists().where(P.c.delivery_id == delivery_id, P.c.status == status.value),
            status.value,
        )
        for status in OVERALL_PRECEDENCE[:-1]
    ]
    return case(*whens, else_=OVERALL_PRECEDENCE[-1].value)


_RECOMPUTE_ONE = (
    update(D)
    .where(D.c.id == bindparam("w_delivery"))
    .values(status=_overall_status_sql(bindparam("w_delivery")), updated_at=bindparam("w_now"))
)


def _follow(aliases: Mapping[str, str], target: str) -> str:
    seen = {target}
    while (target := aliases.get(target, target)) not in seen:
        seen.add(target)
    return target


__all__ = ["DeliveryLedger"]
