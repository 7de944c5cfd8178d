"""The delivery ledger as the fan-out's work queue, shared by several workers: a worker claims
a batch of unfinished deliveries for `lease_seconds`, renews what it still holds, and gives
back what it did not finish; a dead worker's rows are taken over at once (`break_leases`) or
when its lease runs out. (Every step of every part: `steps`; intent rows: `delivery_plan`;
reading: `delivery_log`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, Update, bindparam, exists, func, or_, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import StoreBase
from digestbot.store.leases import release_leases, renew_leases
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.overall import recompute
from digestbot.store.records import ClaimedDelivery, PartAction, PartState, Status
from digestbot.store.sets import among

D = deliveries
P = delivery_parts
_REPEATABLE = (PartAction.EDIT.value, PartAction.DELETE.value)
CRASHED_IN_FLIGHT = (
    "the sending process stopped while this part was in flight; it may or may not have arrived"
)


class DeliveryLedger(StoreBase):
    def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        include_uncertain: bool = False,
        revision: int | None = None,
    ) -> list[ClaimedDelivery]:
        """Lease up to `limit` unfinished deliveries whose lease is free or expired, oldest
        first, in one transaction of four statements whatever `limit` is. With `revision`,
        only rows carrying that revision of the issue: a fan-out holds that revision's
        payloads, and a row replanned for a newer one is not its to send.

        Two owners never hold the same row: PostgreSQL locks candidates with
        `FOR UPDATE SKIP LOCKED`; SQLite runs the whole claim under its write lock. A row whose
        previous owner vanished with a part in flight turns `uncertain` here (that request may
        have arrived) and is only handed out when `include_uncertain` is set."""
        wanted = _WANTED[include_uncertain]
        # (id, target, variant, status, parts_total, revision, held_revision, form)
        claimed: list[tuple[int, str, str, str, int, int, int | None, str | None]] = []
        candidates = _candidates(include_uncertain, revision is not None)
        with self._write() as conn:
            now = self.now()
            expires = now + dt.timedelta(seconds=lease_seconds)
            where = {"c_date": issue_date, "c_channel": channel, "c_now": now, "c_rev": revision}
            while len(claimed) < limit:
                rows = conn.execute(candidates, {**where, "c_limit": limit - len(claimed)}).all()
                if not rows:
                    break
                statuses = {row[_ID]: row[_STATUS] for row in rows}
                # Only rows a vanished worker left with a part in flight need the sweep (and
                # its recompute): usually none, and then the claim is three statements.
                if abandoned := [row[_ID] for row in rows if row[_ABANDONED]]:
                    swept = _sweep_abandoned_in_flight(conn, abandoned, now)
                    statuses.update(recompute(conn, swept, now))
                keep = [
                    (id_, target, variant, statuses[id_], total, rev, held, form)
                    for id_, target, variant, _, total, rev, held, _, form in rows
                    if statuses[id_] in wanted
                ]
                if keep:
                    conn.execute(
                        _lease(self.dialect),
                        {
                            "w_ids": [row[0] for row in keep],
                            "c_owner": owner,
                            "c_expires": expires,
                            "c_now": now,
                        },
                    )
                claimed.extend(keep)
            parts = parts_of(conn, [row[0] for row in claimed])
        channel_of, variants, status_of = Channel(channel), _VARIANTS, _STATUSES
        return [
            ClaimedDelivery(
                id=delivery_id,
                issue_date=issue_date,
                channel=channel_of,
                target=target,
                variant=variants[variant],
                status=status_of[status],
                parts_total=total,
                parts=parts[delivery_id],
                lease_owner=owner,
                lease_expires_at=expires,
                revision=revision_of,
                held_revision=held,
                form=form,
            )
            for delivery_id, target, variant, status, total, revision_of, held, form in claimed
        ]

    def renew_lease(self, delivery_ids: Sequence[int], owner: str, lease_seconds: float) -> int:
        """Extend the leases `owner` still holds; returns how many it still held."""
        if not delivery_ids:
            return 0
        with self._write() as conn:
            return renew_leases(conn, D, D.c.id, delivery_ids, owner, self.now(), lease_seconds)

    def release(self, delivery_ids: Sequence[int], owner: str) -> int:
        """Give leases back (done, or shutting down). Only `owner`'s own leases are touched."""
        if not delivery_ids:
            return 0
        with self._write() as conn:
            return release_leases(conn, D, D.c.id, delivery_ids, owner, self.now())

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
                        D.c.status.in_([Status.PENDING.value, Status.UNCERTAIN.value]),
                        D.c.lease_owner.is_not(None),
                        D.c.lease_expires_at > self.now(),
                    )
                ).scalars()
            )

    def break_leases(
        self, owner: str, issue_date: dt.date | None = None, channel: Channel | None = None
    ) -> int:
        """Expire every lease `owner` holds (on one issue and channel, when given): it is
        known dead (a killed process on this host, or this very process's predecessor under
        the same pid), or, for a worker's own rows, they are leases it does not know it holds
        (a claim committed while its answer was lost to a database outage). Its rows need not
        wait for the lease to run out; parts in flight turn `uncertain` when next claimed."""
        where = [D.c.lease_owner == owner]
        if issue_date is not None:
            where.append(D.c.issue_date == issue_date)
        if channel is not None:
            where.append(D.c.channel == channel)
        with self._write() as conn:
            return conn.execute(
                update(D)
                .where(*where)
                .values(lease_owner=None, lease_expires_at=None, updated_at=self.now())
            ).rowcount

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


# A part marked in flight and never finished: its worker vanished while the request was out.
_ABANDONED_PART = (
    exists()
    .where(
        P.c.delivery_id == D.c.id,
        P.c.status == Status.PENDING.value,
        P.c.in_flight_at.is_not(None),
    )
    .correlate(D)
)

# What a claim takes: pending rows, and uncertain ones when asked. Enum lookups by value, as
# dicts: a claim turns every row's text into them.
_WANTED = {
    False: frozenset({Status.PENDING.value}),
    True: frozenset({Status.PENDING.value, Status.UNCERTAIN.value}),
}
_STATUSES = {status.value: status for status in Status}
_VARIANTS = {variant.value: variant for variant in Variant}
_ACTIONS = {action.value: action for action in PartAction}

# What `_candidates` selects, in this order. `claim` reads its rows by position (a Row's lookup
# by name costs more, on every row of every claim) at the positions named below, found here.
_CANDIDATE_COLUMNS = (
    D.c.id,
    D.c.target,
    D.c.variant,
    D.c.status,
    D.c.parts_total,
    D.c.revision,
    D.c.held_revision,
    _ABANDONED_PART.label("abandoned"),
    D.c.form,
)
_ID, _STATUS, _ABANDONED = (
    [column.name for column in _CANDIDATE_COLUMNS].index(name)
    for name in ("id", "status", "abandoned")
)


# The claim's statements are built once (per dialect where it matters) and bound per call:
# building and hashing a statement anew per claim cost more than running it.
@cache
def _candidates(include_uncertain: bool, by_revision: bool) -> Select[Any]:
    """Claimable rows, oldest first, up to `c_limit`: free or expired leases, carrying
    `c_rev` when by_revision."""
    candidates = select(*_CANDIDATE_COLUMNS).where(
        D.c.issue_date == bindparam("c_date"),
        D.c.channel == bindparam("c_channel"),
        D.c.status.in_(sorted(_WANTED[include_uncertain])),
        or_(D.c.lease_expires_at.is_(None), D.c.lease_expires_at <= bindparam("c_now")),
    )
    if by_revision:
        candidates = candidates.where(D.c.revision == bindparam("c_rev"))
    return (
        candidates.order_by(D.c.id)
        .limit(bindparam("c_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )


@cache
def _lease(dialect: str) -> Update:
    return (
        update(D)
        .where(among(D.c.id, "w_ids", dialect))
        .values(
            lease_owner=bindparam("c_owner"),
            lease_expires_at=bindparam("c_expires"),
            updated_at=bindparam("c_now"),
        )
    )


@cache
def _parts(dialect: str) -> Select[Any]:
    return (
        select(
            P.c.delivery_id,
            P.c.part_index,
            P.c.status,
            P.c.attempts,
            P.c.provider_message_id,
            P.c.last_error,
            P.c.action,
        )
        .where(among(P.c.delivery_id, "w_ids", dialect))
        .order_by(P.c.delivery_id, P.c.part_index)
    )


def _sweep_abandoned_in_flight(
    conn: Connection, delivery_ids: Sequence[int], now: dt.datetime
) -> list[int]:
    """Parts left in flight by a worker that is gone become `uncertain`; returns the ids of
    the deliveries that had such a part. An edit or a delete is the exception: doing it
    twice does no harm, so it simply stays pending and is done again."""
    abandoned = (
        P.c.delivery_id.in_(delivery_ids),
        P.c.status == Status.PENDING.value,
        P.c.in_flight_at.is_not(None),
    )
    conn.execute(
        update(P)
        .where(*abandoned, P.c.action.in_(_REPEATABLE))
        .values(in_flight_at=None, updated_at=now)
    )
    swept = conn.execute(
        update(P)
        .where(*abandoned)
        .values(status=Status.UNCERTAIN.value, last_error=CRASHED_IN_FLIGHT, updated_at=now)
        .returning(P.c.delivery_id)
    ).scalars()
    return sorted(set(swept))


def parts_of(conn: Connection, delivery_ids: Sequence[int]) -> dict[int, tuple[PartState, ...]]:
    found: dict[int, list[PartState]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        statuses, actions = _STATUSES, _ACTIONS
        rows = conn.execute(_parts(conn.dialect.name), {"w_ids": list(delivery_ids)})
        for delivery_id, index, status, attempts, message_id, error, action in rows:
            found[delivery_id].append(
                PartState(index, statuses[status], attempts, message_id, error, actions[action])
            )
    return {delivery_id: tuple(parts) for delivery_id, parts in found.items()}


__all__ = ["CRASHED_IN_FLIGHT", "DeliveryLedger", "parts_of"]
