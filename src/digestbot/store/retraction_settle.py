"""How a delivery of a retracted issue is settled, once, when its retraction is first
claimed: unsent parts skipped, parts a dead sender left in flight judged, and one request per
message to delete (or one notice for email); and what a rerun reopens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel
from digestbot.store.deliveries import CRASHED_IN_FLIGHT
from digestbot.store.models import deliveries, delivery_parts, retraction_parts, retractions
from digestbot.store.overall import recompute
from digestbot.store.records import PartAction, Status
from digestbot.store.retraction_records import RETRACTED, Undo, UndoPart, overall_undo

D = deliveries
P = delivery_parts
R = retractions
RP = retraction_parts
CRASHED_NOTICE = "the retracting process stopped while this notice was in flight"


def skip_unsent(conn: Connection, delivery_ids: Sequence[int], now: dt.datetime) -> list[int]:
    """Parts not sent (and not leaving right now) never will be: skipped. Returns the
    deliveries."""
    if not delivery_ids:
        return []
    # An edit or a deletion a crash left in flight brought nothing new either.
    unsent = or_(
        P.c.in_flight_at.is_(None),
        P.c.action.in_([PartAction.EDIT.value, PartAction.DELETE.value]),
    )
    conn.execute(
        update(P)
        .where(P.c.delivery_id.in_(delivery_ids), P.c.status == Status.PENDING.value, unsent)
        .values(status=Status.SKIPPED.value, last_error=RETRACTED, updated_at=now)
    )
    return list(delivery_ids)


def reopen(conn: Connection, issue_date: dt.date, now: dt.datetime) -> None:
    """A rerun tries again what may still be done: transient failures, and deletions whose
    answer never came (deleting twice does no harm; a notice is never sent twice)."""
    of_day = select(R.c.delivery_id).where(R.c.issue_date == issue_date)
    again = or_(
        and_(RP.c.status == Undo.FAILED.value, RP.c.permanent.is_(False)),
        and_(RP.c.status == Undo.UNCERTAIN.value, RP.c.message_id.is_not(None)),
    )
    reopened = conn.execute(
        update(RP)
        .where(RP.c.delivery_id.in_(of_day), again)
        .values(status=Undo.PENDING.value, in_flight_at=None, updated_at=now)
        .returning(RP.c.delivery_id)
    ).scalars()
    ids = sorted(set(reopened))
    if ids:
        conn.execute(
            update(R)
            .where(R.c.delivery_id.in_(ids))
            .values(status=Undo.PENDING.value, lease_owner=None, lease_expires_at=None)
        )


def settle(
    conn: Connection, channel: Channel, delivery_ids: Sequence[int], now: dt.datetime
) -> dict[int, list[UndoPart]]:
    """Per delivery, the parts still to do, creating them at the first claim; a delivery
    with none left gets its final state here."""
    have = set(
        conn.execute(
            select(RP.c.delivery_id).distinct().where(RP.c.delivery_id.in_(delivery_ids))
        ).scalars()
    )
    fresh = [i for i in delivery_ids if i not in have]
    if fresh:
        _sweep_and_skip(conn, fresh, now)
        _create_parts(conn, channel, fresh, now)
    # A deletion a dead worker left in flight is simply done again; a notice may have arrived.
    in_flight = and_(
        RP.c.delivery_id.in_(delivery_ids),
        RP.c.status == Undo.PENDING.value,
        RP.c.in_flight_at.is_not(None),
    )
    conn.execute(
        update(RP)
        .where(in_flight, RP.c.message_id.is_not(None))
        .values(in_flight_at=None, updated_at=now)
    )
    conn.execute(
        update(RP)
        .where(in_flight, RP.c.message_id.is_(None))
        .values(status=Undo.UNCERTAIN.value, last_error=CRASHED_NOTICE, updated_at=now)
    )
    todo: dict[int, list[UndoPart]] = {i: [] for i in delivery_ids}
    states: dict[int, list[Undo]] = {i: [] for i in delivery_ids}
    for row in conn.execute(
        select(RP.c.delivery_id, RP.c.part_index, RP.c.message_id, RP.c.status, RP.c.attempts)
        .where(RP.c.delivery_id.in_(delivery_ids))
        .order_by(RP.c.delivery_id, RP.c.part_index.desc())  # thread replies before parents
    ):
        states[row.delivery_id].append(Undo(row.status))
        if row.status == Undo.PENDING.value:
            todo[row.delivery_id].append(UndoPart(row.part_index, row.message_id, row.attempts))
    for delivery_id, parts in states.items():
        if not todo[delivery_id]:
            conn.execute(
                update(R)
                .where(R.c.delivery_id == delivery_id)
                .values(status=overall_undo(parts).value, updated_at=now)
            )
    return todo


def _sweep_and_skip(conn: Connection, delivery_ids: Sequence[int], now: dt.datetime) -> None:
    """The delivery goes quiet for good: a new message a dead sender left in flight may
    have arrived (uncertain, as a claim would say), every other unsent part is skipped (an
    edit or a surplus deletion of a correction keeps its message id: it is deleted below)."""
    conn.execute(
        update(P)
        .where(
            P.c.delivery_id.in_(delivery_ids),
            P.c.status == Status.PENDING.value,
            P.c.in_flight_at.is_not(None),
            P.c.action.in_([PartAction.SEND.value, PartAction.NOTICE.value]),
        )
        .values(status=Status.UNCERTAIN.value, last_error=CRASHED_IN_FLIGHT, updated_at=now)
    )
    skip_unsent(conn, delivery_ids, now)
    recompute(conn, delivery_ids, now)


def _create_parts(
    conn: Connection, channel: Channel, delivery_ids: Sequence[int], now: dt.datetime
) -> None:
    """Telegram and Slack: one deletion per message the ledger holds an id of (a Slack
    digest's parent and each thread reply). Email cannot be unsent: one notice to every
    reader who got at least one part."""
    if channel is Channel.EMAIL:
        got_it = select(P.c.delivery_id).where(
            P.c.delivery_id.in_(delivery_ids), P.c.status == Status.SENT.value
        )
        rows = [
            {"delivery_id": i, "part_index": 0, "message_id": None}
            for i in sorted(set(conn.execute(got_it).scalars()))
        ]
    else:
        # Every message shown: sent or edited, or a correction's surplus not deleted yet.
        deleted = (P.c.action == PartAction.DELETE.value) & (P.c.status == Status.SENT.value)
        sent = select(P.c.delivery_id, P.c.part_index, P.c.provider_message_id).where(
            P.c.delivery_id.in_(delivery_ids), P.c.provider_message_id.is_not(None), ~deleted
        )
        rows = [
            {"delivery_id": i, "part_index": index, "message_id": message_id}
            for i, index, message_id in conn.execute(sent)
        ]
    if rows:
        common = {"status": Undo.PENDING.value, "attempts": 0, "permanent": False}
        conn.execute(RP.insert(), [{**row, **common, "updated_at": now} for row in rows])


__all__ = ["CRASHED_NOTICE", "reopen", "settle", "skip_unsent"]
