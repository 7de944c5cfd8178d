"""The delivery ledger as the fan-out's work queue: leases on rows, and every step of every
part recorded as it happens (intent rows: `delivery_plan`; reading: `delivery_log`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Update, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import StoreBase, clip_error
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.overall import RECOMPUTE_ONE, recompute
from digestbot.store.records import ClaimedDelivery, PartState, Status

D = deliveries
P = delivery_parts
CRASHED_IN_FLIGHT = (
    "the sending process stopped while this part was in flight; it may or may not have arrived"
)


class DeliveryLedger(StoreBase):
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
                statuses = recompute(conn, candidates, now)
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
            recompute(conn, [delivery_id], now)

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
                conn.execute(RECOMPUTE_ONE, {"w_delivery": delivery_id, "w_now": self.now()})

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


__all__ = ["CRASHED_IN_FLIGHT", "DeliveryLedger"]
