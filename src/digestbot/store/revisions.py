"""Deliveries moved to a new revision of their issue: each one's parts replanned so the same
work queue (claims, leases, steps) carries the correction.

Per delivery, for the corrected digest of `n` parts (in the form the target holds: a delivery
stepped down to a smaller form keeps it, `deliveries.form`):
- a part whose message the target has gets EDIT (its message id kept), one it has not got
  yet SEND; beyond the old parts, SEND (extra replies); old messages past `n`, DELETE;
- a part that failed, was skipped or may have arrived (`uncertain`) keeps that state:
  `retry` decides about it, as for a first send;
- channels that cannot edit (email) give a target that holds an earlier revision one NOTICE
  part instead (or leave it alone when notices are off), and a target that holds nothing
  the corrected digest.
A row is replanned once per revision (its `revision` moves on in the same transaction), so a
rerun after a crash finds nothing to replan and finishes the pending parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import StoreBase
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.overall import recompute
from digestbot.store.records import Held, PartAction, PartsFor, RevisionPlan, Status

D = deliveries
P = delivery_parts
PLAN_BATCH = 500
# Parts whose message is in the target's chat, or that `retry` must judge: kept as they are.
_KEPT = (Status.FAILED.value, Status.SKIPPED.value, Status.UNCERTAIN.value)


class DeliveryRevisions(StoreBase):
    def plan_revision(
        self,
        issue_date: dt.date,
        channel: Channel,
        revision: int,
        parts_for: PartsFor,
        held: Held = Held.EDIT,
    ) -> RevisionPlan:
        """Move every delivery of this issue and channel that carries an older revision to
        `revision`, replanning its parts. Rows leased by a live worker are left for later:
        their owners come back in `busy`. Targets that are gone (skipped) stay as they are."""
        replanned = 0
        while True:
            with self._write() as conn:
                now = self.now()
                rows = conn.execute(
                    select(D.c.id, D.c.target, D.c.variant, D.c.form, D.c.held_revision)
                    .where(*_stale(issue_date, channel, revision, held))
                    .where(or_(~_UNFINISHED, _lease_free(now)))
                    .order_by(D.c.id)
                    .limit(PLAN_BATCH)
                    .with_for_update(skip_locked=True)
                ).all()
                if not rows:
                    break
                _replan(conn, rows, revision, parts_for, held, now)
            replanned += len(rows)
        with self._read() as conn:
            busy = conn.execute(
                select(D.c.lease_owner)
                .distinct()
                .where(
                    *_stale(issue_date, channel, revision, held),
                    _UNFINISHED,
                    ~_lease_free(self.now()),
                )
            ).scalars()
            owners = frozenset(owner for owner in busy if owner)
        return RevisionPlan(replanned, owners)

    def revisions_held(self, issue_date: dt.date) -> dict[Channel, dict[int | None, int]]:
        """Per channel, how many targets hold each revision in full (None: none yet)."""
        result: dict[Channel, dict[int | None, int]] = {}
        with self._read() as conn:
            for channel, held, count in conn.execute(
                select(D.c.channel, D.c.held_revision, func.count())
                .where(D.c.issue_date == issue_date)
                .group_by(D.c.channel, D.c.held_revision)
            ):
                result.setdefault(Channel(channel), {})[held] = int(count)
        return result


# A finished row keeps its last lease until it runs out, but nobody works on it any more.
_UNFINISHED = D.c.status.in_([Status.PENDING.value, Status.UNCERTAIN.value])


def _lease_free(now: dt.datetime) -> Any:
    return or_(D.c.lease_expires_at.is_(None), D.c.lease_expires_at <= now)


def _stale(issue_date: dt.date, channel: Channel, revision: int, held: Held) -> list[Any]:
    """Which deliveries still carry an older revision and are the correction's to move."""
    where = [
        D.c.issue_date == issue_date,
        D.c.channel == channel,
        D.c.revision < revision,
        D.c.status != Status.SKIPPED.value,
    ]
    if held is Held.KEEP:
        where.append(D.c.held_revision.is_(None))
    return where


def _replan(
    conn: Connection,
    rows: Sequence[Any],
    revision: int,
    parts_for: PartsFor,
    held: Held,
    now: dt.datetime,
) -> None:
    ids = [row.id for row in rows]
    old: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for found in conn.execute(
        select(P).where(P.c.delivery_id.in_(ids)).order_by(P.c.delivery_id, P.c.part_index)
    ).mappings():
        old[found["delivery_id"]].append(dict(found))
    new_parts: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for row in rows:
        if held is Held.NOTICE and row.held_revision is not None:
            planned = [_fresh(PartAction.NOTICE, now)]
        else:
            # The form the target holds (a step-down's) is the one whose parts are edited.
            count = parts_for(row.target, Variant(row.variant), row.form)
            planned = _edits(old[row.id], count, now)
        for index, part in enumerate(planned):
            new_parts.append({**part, "delivery_id": row.id, "part_index": index})
        totals.append({"w_id": row.id, "w_total": len(planned)})
    conn.execute(delete(P).where(P.c.delivery_id.in_(ids)))
    conn.execute(insert(P), new_parts)
    for total in totals:
        conn.execute(
            update(D)
            .where(D.c.id == total["w_id"])
            .values(
                revision=revision,
                parts_total=total["w_total"],
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now,
            )
        )
    recompute(conn, ids, now)


def _fresh(action: PartAction, now: dt.datetime, message_id: str | None = None) -> dict[str, Any]:
    return {
        "action": action.value,
        "status": Status.PENDING.value,
        "attempts": 0,
        "permanent": False,
        "last_error": None,
        "provider_message_id": message_id,
        "in_flight_at": None,
        "sent_at": None,
        "updated_at": now,
    }


def _live(part: dict[str, Any]) -> bool:
    """The target has this part's message (as far as we know)."""
    if part["provider_message_id"] is None:
        return False
    return not (part["action"] == PartAction.DELETE.value and part["status"] == Status.SENT.value)


def _edits(old: list[dict[str, Any]], total: int, now: dt.datetime) -> list[dict[str, Any]]:
    """The parts of a target that can be edited, for a corrected digest of `total` parts."""
    planned: list[dict[str, Any]] = []
    for index in range(total):
        part = old[index] if index < len(old) else None
        if part is not None and _live(part):
            planned.append(_fresh(PartAction.EDIT, now, part["provider_message_id"]))
        elif part is not None and (part["status"] in _KEPT or part["in_flight_at"] is not None):
            # It may have arrived, or `retry` is to judge it: a correction does not resend.
            kept = {k: v for k, v in part.items() if k not in ("delivery_id", "part_index")}
            if kept["status"] == Status.PENDING.value:
                kept["status"] = Status.UNCERTAIN.value
            planned.append({**kept, "action": PartAction.SEND.value, "updated_at": now})
        else:
            planned.append(_fresh(PartAction.SEND, now))
    planned += [
        _fresh(PartAction.DELETE, now, part["provider_message_id"])
        for part in old[total:]
        if _live(part)
    ]
    return planned


__all__ = ["PLAN_BATCH", "DeliveryRevisions"]
