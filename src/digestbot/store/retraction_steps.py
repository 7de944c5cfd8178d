"""Every step of a retraction's requests (in flight, retrying, done), fenced by the
retraction's lease, the delivery's retraction state brought along in the same transaction;
and what happened, for people (`digestbot log`, the report) and for the rate limiter."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel
from digestbot.store.base import StoreBase, clip_error
from digestbot.store.models import retraction_parts, retractions
from digestbot.store.retraction_records import (
    RetractionRow,
    Undo,
    UndoStep,
    UndoStepKind,
    overall_undo,
)

R = retractions
RP = retraction_parts


class RetractionSteps(StoreBase):
    def record_undo_steps(self, owner: str, steps: Sequence[UndoStep]) -> list[bool]:
        """Write `steps` in one transaction; per step, False when `owner` no longer leases
        its retraction (nothing written: a refused "in flight" means the request must not
        leave)."""
        if not steps:
            return []
        with self._write() as conn:
            now = self.now()
            ids = sorted({step.delivery_id for step in steps})
            owned = set(
                conn.execute(
                    select(R.c.delivery_id)
                    .where(R.c.delivery_id.in_(ids), R.c.lease_owner == owner)
                    .with_for_update()
                ).scalars()
            )
            finished: set[int] = set()
            for step in steps:
                if step.delivery_id in owned:
                    _write_step(conn, step, now)
                    if step.kind is UndoStepKind.DONE:
                        finished.add(step.delivery_id)
            for delivery_id in sorted(finished):
                _update_state(conn, delivery_id, now)
        return [step.delivery_id in owned for step in steps]

    def retraction_log(
        self, issue_date: dt.date, state: Undo | None = None
    ) -> list[RetractionRow]:
        """Per delivery of the day (those in `state` when given), where taking it back
        stands; empty when the day was never retracted."""
        done = func.sum(
            case((RP.c.status.in_([Undo.DELETED.value, Undo.NOTIFIED.value]), 1), else_=0)
        )
        refused = func.sum(case((RP.c.status == Undo.NOT_DELETABLE.value, 1), else_=0))
        other = RP.alias("latest")
        last_error = (
            select(other.c.last_error)
            .where(other.c.delivery_id == R.c.delivery_id, other.c.last_error.is_not(None))
            .order_by(other.c.updated_at.desc(), other.c.part_index.desc())
            .limit(1)
            .correlate(R)
            .scalar_subquery()
        )
        stmt = (
            select(
                R.c.channel,
                R.c.target,
                R.c.status,
                func.count(RP.c.part_index),
                func.coalesce(done, 0),
                func.coalesce(refused, 0),
                last_error,
            )
            .select_from(R.outerjoin(RP, RP.c.delivery_id == R.c.delivery_id))
            .where(R.c.issue_date == issue_date)
            .group_by(R.c.delivery_id, R.c.channel, R.c.target, R.c.status)
            .order_by(R.c.channel, R.c.delivery_id)
        )
        if state is not None:
            stmt = stmt.where(R.c.status == state.value)
        with self._read() as conn:
            return [
                RetractionRow(Channel(c), t, Undo(s), int(n), int(d), int(k), e)
                for c, t, s, n, d, k, e in conn.execute(stmt)
            ]

    def retraction_summary(self, issue_date: dt.date) -> dict[Channel, Counter[Undo]]:
        """Per channel, how many deliveries' retractions are in each state."""
        result: dict[Channel, Counter[Undo]] = {}
        with self._read() as conn:
            for channel, state, count in conn.execute(
                select(R.c.channel, R.c.status, func.count())
                .where(R.c.issue_date == issue_date)
                .group_by(R.c.channel, R.c.status)
            ):
                result.setdefault(Channel(channel), Counter())[Undo(state)] = int(count)
        return result

    def retraction_requests(self, issue_date: dt.date) -> dict[Channel, Counter[Undo]]:
        """Per channel, how many requests (messages to delete, notices) are in each state."""
        result: dict[Channel, Counter[Undo]] = {}
        with self._read() as conn:
            for channel, state, count in conn.execute(
                select(R.c.channel, RP.c.status, func.count())
                .join(R, R.c.delivery_id == RP.c.delivery_id)
                .where(R.c.issue_date == issue_date)
                .group_by(R.c.channel, RP.c.status)
            ):
                result.setdefault(Channel(channel), Counter())[Undo(state)] = int(count)
        return result

    def undo_requests_since(
        self, channel: Channel, since: dt.datetime
    ) -> list[tuple[str, dt.datetime]]:
        """(target, when it left) of every retraction request on `channel` since `since`:
        deletions count against the providers' limits like sends."""
        with self._read() as conn:
            rows = conn.execute(
                select(R.c.target, RP.c.in_flight_at)
                .join(R, R.c.delivery_id == RP.c.delivery_id)
                .where(
                    R.c.channel == channel,
                    RP.c.in_flight_at.is_not(None),
                    RP.c.in_flight_at >= since,
                )
                .order_by(RP.c.in_flight_at)
            )
            return [(target, at) for target, at in rows]


def _write_step(conn: Connection, step: UndoStep, now: dt.datetime) -> None:
    this = (RP.c.delivery_id == step.delivery_id, RP.c.part_index == step.part_index)
    if step.kind is UndoStepKind.IN_FLIGHT:
        values: dict[str, object] = {"in_flight_at": now, "attempts": RP.c.attempts + 1}
    elif step.kind is UndoStepKind.RETRYING:
        values = {"in_flight_at": None, "last_error": clip_error(step.error or "")}
    else:
        assert step.state is not None
        values = {"status": step.state.value, "permanent": step.permanent, "done_at": now}
        if step.error is not None:
            values["last_error"] = clip_error(step.error)
    conn.execute(update(RP).where(*this).values(**values, updated_at=now))


def _update_state(conn: Connection, delivery_id: int, now: dt.datetime) -> None:
    states = [
        Undo(s)
        for s in conn.execute(
            select(RP.c.status).where(RP.c.delivery_id == delivery_id)
        ).scalars()
    ]
    conn.execute(
        update(R)
        .where(R.c.delivery_id == delivery_id)
        .values(status=overall_undo(states).value, updated_at=now)
    )


__all__ = ["RetractionSteps"]
