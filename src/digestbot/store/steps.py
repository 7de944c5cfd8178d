"""Part outcomes, written in groups: every step the fan-out takes (in flight, sent, failed…)
for any number of parts in one transaction, each fenced by its delivery's lease, the
delivery's status brought along in the same transaction.

Per group: one SELECT of the deliveries the owner still leases (locked FOR UPDATE on
PostgreSQL, so no other worker can take one over until the group is committed), then one
executemany for the steps of single parts (in-flight marks and outcomes alike; a skip or a
release has its own) and one for the statuses. Those are compiled once and their rows
go to the driver as they are (`prepared`): the group's time is converted once, not per row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    Integer,
    String,
    Update,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)

from digestbot.store.base import StoreBase, clip_error
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.overall import overall_status_sql
from digestbot.store.prepared import Prepared
from digestbot.store.records import PartStep, Status, Step
from digestbot.store.sets import among

D = deliveries
P = delivery_parts
_THIS_PART = (P.c.delivery_id == bindparam("w_delivery"), P.c.part_index == bindparam("w_part"))
_NOW: BindParameter[Any] = bindparam("w_now")
_ERROR: BindParameter[Any] = bindparam("w_error")

# A step of one part (every kind but SKIPPED and RELEASE) is one row of ONE statement, the row
# saying what it sets: status, permanent and error when not NULL, the message and the sending
# time when `w_sent`, the in-flight time set (`w_flight` 1) or cleared (0), `w_attempt` added
# to the attempts. A group of any mix of outcomes and in-flight marks is one executemany.
_INT: Any = Integer()
_SENT = bindparam("w_sent", type_=_INT) == 1
_FLIGHT = bindparam("w_flight", type_=_INT)
_PART_STEP = (
    update(P)
    .where(*_THIS_PART)
    .values(
        status=func.coalesce(bindparam("w_status", type_=String()), P.c.status),
        permanent=func.coalesce(bindparam("w_permanent", type_=Boolean()), P.c.permanent),
        provider_message_id=case(
            (_SENT, bindparam("w_message", type_=String())), else_=P.c.provider_message_id
        ),
        sent_at=case((_SENT, _NOW), else_=P.c.sent_at),
        in_flight_at=case((_FLIGHT == 1, _NOW), (_FLIGHT == 0, None), else_=P.c.in_flight_at),
        attempts=P.c.attempts + bindparam("w_attempt", type_=_INT),
        last_error=func.coalesce(_ERROR, P.c.last_error),
        updated_at=_NOW,
    )
)
# Per kind: (status, in-flight time, attempts added, sent); None keeps what the part has.
_PART_CHANGES: dict[Step, tuple[str | None, int | None, int, int]] = {
    Step.RETRYING: (None, 0, 0, 0),
    Step.SENT: (Status.SENT.value, None, 0, 1),
    Step.FAILED: (Status.FAILED.value, 0, 0, 0),
    Step.UNCERTAIN: (Status.UNCERTAIN.value, None, 0, 0),
    Step.IN_FLIGHT: (None, 1, 1, 0),
}
_WHOLE_DELIVERY: dict[Step, Update] = {
    Step.SKIPPED: update(P)
    .where(P.c.delivery_id == bindparam("w_delivery"), P.c.status != Status.SENT.value)
    .values(status=Status.SKIPPED.value, in_flight_at=None, last_error=_ERROR, updated_at=_NOW),
    Step.RELEASE: update(D)
    .where(D.c.id == bindparam("w_delivery"))
    .values(lease_owner=None, lease_expires_at=None, updated_at=_NOW),
}
_ONE_PART = Prepared(_PART_STEP)
_STATEMENTS: dict[Step, Prepared] = {
    **{kind: _ONE_PART for kind in _PART_CHANGES},
    **{kind: Prepared(statement) for kind, statement in _WHOLE_DELIVERY.items()},
}
# Order inside one group: an attempt that will be retried is closed before the next attempt's
# in-flight mark; releases come last. (The fan-out never puts two steps of one part in a
# group, except "retrying" followed by its next "in flight".) Rows of neighbouring kinds that
# share a statement go in one executemany.
_ORDER = (
    Step.RETRYING,
    Step.SENT,
    Step.FAILED,
    Step.UNCERTAIN,
    Step.SKIPPED,
    Step.IN_FLIGHT,
    Step.RELEASE,
)
_FINISHING = (Step.SENT, Step.FAILED, Step.UNCERTAIN, Step.SKIPPED)
_WITH_ERROR = (Step.RETRYING, Step.FAILED, Step.UNCERTAIN, Step.SKIPPED)


@cache
def _owned(dialect: str) -> Prepared:
    return Prepared(
        select(D.c.id, D.c.parts_total)
        .where(among(D.c.id, "w_ids", dialect), D.c.lease_owner == bindparam("w_owner"))
        .with_for_update()
    )


# A one-part delivery takes its part's status (and, once sent, holds the revision it carried:
# one UPDATE per delivery); others the precedence over all their parts.
_STATUS_IS = Prepared(
    update(D)
    .where(D.c.id == bindparam("w_delivery"))
    .values(
        status=bindparam("w_status"),
        held_revision=case(
            (bindparam("w_status") == Status.SENT.value, D.c.revision),
            else_=D.c.held_revision,
        ),
        updated_at=_NOW,
    )
)
_STATUS_FROM_PARTS = Prepared(
    update(D)
    .where(D.c.id == bindparam("w_delivery"))
    .values(status=overall_status_sql(bindparam("w_delivery")), updated_at=_NOW)
)


@cache
def _holds_revision(dialect: str) -> Update:
    """A delivery of several parts done in full: its target holds the revision it carried."""
    return (
        update(D)
        .where(
            among(D.c.id, "w_ids", dialect),
            D.c.status == Status.SENT.value,
            or_(D.c.held_revision.is_(None), D.c.held_revision != D.c.revision),
        )
        .values(held_revision=D.c.revision)
    )


class StepBook(StoreBase):
    def record_steps(self, owner: str, steps: Sequence[PartStep]) -> list[bool]:
        """Write `steps` in one transaction; returns, per step, whether it was written. A step
        is refused when `owner` no longer leases its delivery (the lease ran out and another
        worker took the row): then that worker's view of the part stands, and a refused
        "in flight" means the request must not leave."""
        if not steps:
            return []
        with self._write() as conn:
            now = self.now()
            ids = sorted({step.delivery_id for step in steps})
            owned: dict[int, int] = dict(
                _owned(self.dialect).query(conn, {"w_ids": ids, "w_owner": owner})
            )
            written = [step.delivery_id in owned for step in steps]
            by_kind: dict[Step, list[dict[str, Any]]] = {kind: [] for kind in _ORDER}
            statuses: dict[int, str | None] = {}
            for step, ok in zip(steps, written, strict=True):
                if not ok:
                    continue
                total = owned[step.delivery_id]
                if step.kind not in (Step.SKIPPED, Step.RELEASE) and not (
                    0 <= step.part_index < total
                ):
                    raise LookupError(f"no part {step.part_index} of delivery {step.delivery_id}")
                by_kind[step.kind].append(_params(step))
                if step.kind in _FINISHING:
                    one_part = total == 1 and step.kind is not Step.SKIPPED
                    statuses[step.delivery_id] = step.kind.value if one_part else None
            shared = {"w_now": now}
            for statement, rows in _runs(by_kind):
                statement.run_many(conn, rows, shared)
            _write_statuses(conn, statuses, now, self.dialect)
        return written


def _runs(by_kind: Mapping[Step, list[dict[str, Any]]]) -> list[tuple[Prepared, list[Any]]]:
    """The group's executemanys in `_ORDER`, neighbouring kinds of one statement joined."""
    runs: list[tuple[Prepared, list[Any]]] = []
    for kind in _ORDER:
        if rows := by_kind[kind]:
            statement = _STATEMENTS[kind]
            if runs and runs[-1][0] is statement:
                runs[-1][1].extend(rows)
            else:
                runs.append((statement, list(rows)))
    return runs


def _params(step: PartStep) -> dict[str, Any]:
    error = clip_error(step.error or "") if step.kind in _WITH_ERROR else None
    if step.kind is Step.RELEASE:
        return {"w_delivery": step.delivery_id}
    if step.kind is Step.SKIPPED:  # every unsent part of the delivery
        return {"w_delivery": step.delivery_id, "w_error": error}
    status, flight, attempt, sent = _PART_CHANGES[step.kind]
    return {
        "w_delivery": step.delivery_id,
        "w_part": step.part_index,
        "w_status": status,
        "w_permanent": step.permanent if step.kind is Step.FAILED else None,
        "w_sent": sent,
        "w_message": step.message_id if sent else None,
        "w_flight": flight,
        "w_attempt": attempt,
        "w_error": error,
    }


def _write_statuses(conn: Any, statuses: Mapping[int, str | None], now: Any, dialect: str) -> None:
    known = [{"w_delivery": i, "w_status": s} for i, s in statuses.items() if s]
    derived = [{"w_delivery": i} for i, s in statuses.items() if s is None]
    _STATUS_IS.run_many(conn, known, {"w_now": now})
    if derived:
        _STATUS_FROM_PARTS.run_many(conn, derived, {"w_now": now})
        conn.execute(_holds_revision(dialect), {"w_ids": [d["w_delivery"] for d in derived]})


__all__ = ["StepBook"]
