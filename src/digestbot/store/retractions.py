"""Taking an issue back, as a work queue shared by workers like the deliveries themselves.

`plan_retraction` writes one `retractions` row per delivery of the day (idempotent) and stops
what nobody is sending yet. A worker then claims rows in batches with a lease; a row is only
claimable once its delivery is quiet (finished, or its sender's lease gone), so what a live
fan-out is sending right now is waited for and then deleted too. At its first claim a row
settles its delivery (unsent parts skipped, parts a dead sender left in flight uncertain) and
gets one `retraction_parts` row per message to delete (the provider message ids the ledger
recorded per part), or, for email, one notice. (Each step of each part: `retraction_steps`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, literal, or_, select, update

from digestbot.model import Channel
from digestbot.store.base import StoreBase
from digestbot.store.dialects import dialect_insert
from digestbot.store.leases import release_leases, renew_leases
from digestbot.store.models import deliveries, delivery_parts, retraction_parts, retractions
from digestbot.store.overall import recompute
from digestbot.store.records import Status
from digestbot.store.retraction_records import ClaimedRetraction, Undo
from digestbot.store.retraction_settle import reopen, settle, skip_unsent

D = deliveries
P = delivery_parts
R = retractions
RP = retraction_parts
_HEADER_COLUMNS = (
    "delivery_id", "issue_date", "channel", "target", "status", "created_at", "updated_at",
)


def _free(lease_owner: Any, lease_expires_at: Any, now: dt.datetime) -> Any:
    return or_(lease_owner.is_(None), lease_expires_at.is_(None), lease_expires_at <= now)


class RetractionQueue(StoreBase):
    def plan_retraction(self, issue_date: dt.date) -> int:
        """Record the work of taking `issue_date` back; returns how many deliveries are new
        to it. Parts nobody is sending are skipped at once, so no fan-out claims them any
        more; transient failures and uncertain deletions of an earlier run are reopened."""
        with self._write() as conn:
            now = self.now()
            quiet = select(D.c.id).where(
                D.c.issue_date == issue_date,
                D.c.status == Status.PENDING.value,
                _free(D.c.lease_owner, D.c.lease_expires_at, now),
            )
            stopped = skip_unsent(conn, list(conn.execute(quiet).scalars()), now)
            recompute(conn, stopped, now)
            new = self._insert_ignoring_conflicts(R).from_select(
                _HEADER_COLUMNS,
                select(
                    D.c.id,
                    D.c.issue_date,
                    D.c.channel,
                    D.c.target,
                    literal(Undo.PENDING.value),
                    literal(now, R.c.created_at.type),
                    literal(now, R.c.updated_at.type),
                ).where(D.c.issue_date == issue_date),
            )
            inserted = len(conn.execute(new.returning(R.c.delivery_id)).all())
            reopen(conn, issue_date, now)
        return inserted

    def _insert_ignoring_conflicts(self, table: Any) -> Any:
        return dialect_insert(self.dialect, table).on_conflict_do_nothing()

    def claim_retractions(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
    ) -> list[ClaimedRetraction]:
        """Lease up to `limit` pending retractions whose delivery is quiet (see the module
        docstring), settling each on its first claim. Rows that turn out to owe nothing are
        finished here and not handed out."""
        claimed: list[ClaimedRetraction] = []
        with self._write() as conn:
            now = self.now()
            expires = now + dt.timedelta(seconds=lease_seconds)
            while len(claimed) < limit:
                rows = conn.execute(
                    select(R.c.delivery_id, R.c.target)
                    .join(D, D.c.id == R.c.delivery_id)
                    .where(
                        R.c.issue_date == issue_date,
                        R.c.channel == channel,
                        R.c.status == Undo.PENDING.value,
                        _free(R.c.lease_owner, R.c.lease_expires_at, now),
                        or_(
                            D.c.status != Status.PENDING.value,
                            _free(D.c.lease_owner, D.c.lease_expires_at, now),
                        ),
                    )
                    .order_by(R.c.delivery_id)
                    .limit(limit - len(claimed))
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    break
                ids = [row.delivery_id for row in rows]
                parts = settle(conn, Channel(channel), ids, now)
                keep = [row for row in rows if parts[row.delivery_id]]
                conn.execute(
                    update(R)
                    .where(R.c.delivery_id.in_([row.delivery_id for row in keep]))
                    .values(lease_owner=owner, lease_expires_at=expires, updated_at=now)
                )
                claimed.extend(
                    ClaimedRetraction(
                        id=row.delivery_id,
                        issue_date=issue_date,
                        channel=Channel(channel),
                        target=row.target,
                        parts=tuple(parts[row.delivery_id]),
                        lease_owner=owner,
                        lease_expires_at=expires,
                    )
                    for row in keep
                )
        return claimed

    def renew_retraction_leases(
        self, delivery_ids: Sequence[int], owner: str, lease_seconds: float
    ) -> int:
        if not delivery_ids:
            return 0
        with self._write() as conn:
            return renew_leases(
                conn, R, R.c.delivery_id, delivery_ids, owner, self.now(), lease_seconds
            )

    def release_retractions(self, delivery_ids: Sequence[int], owner: str) -> int:
        if not delivery_ids:
            return 0
        with self._write() as conn:
            return release_leases(conn, R, R.c.delivery_id, delivery_ids, owner, self.now())

    def retraction_owners(self, issue_date: dt.date, channel: Channel) -> set[str]:
        """Who holds what keeps pending retractions of this issue and channel waiting: other
        retracting workers, and fan-outs still sending one of their deliveries."""
        with self._read() as conn:
            now = self.now()
            pending = and_(
                R.c.issue_date == issue_date,
                R.c.channel == channel,
                R.c.status == Undo.PENDING.value,
            )
            retracting = select(R.c.lease_owner).where(
                pending, R.c.lease_owner.is_not(None), R.c.lease_expires_at > now
            )
            sending = (
                select(D.c.lease_owner)
                .join(R, R.c.delivery_id == D.c.id)
                .where(
                    pending,
                    D.c.status == Status.PENDING.value,
                    D.c.lease_owner.is_not(None),
                    D.c.lease_expires_at > now,
                )
            )
            return set(conn.execute(retracting).scalars()) | set(conn.execute(sending).scalars())

    def break_retraction_leases(self, owner: str) -> int:
        """`owner` is known dead: its retraction leases, and its delivery leases, end now."""
        with self._write() as conn:
            now = self.now()
            broken = conn.execute(
                update(R)
                .where(R.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, updated_at=now)
            ).rowcount
            return broken + conn.execute(
                update(D)
                .where(D.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None, updated_at=now)
            ).rowcount


__all__ = ["RetractionQueue"]
