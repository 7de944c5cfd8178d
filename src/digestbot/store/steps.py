"""Part outcomes, written in groups: every step the fan-out takes (in flight, sent, failed…)
for any number of parts in one transaction, each fenced by its delivery's lease, the
delivery's status brought along in the same transaction.

Per group: one SELECT of the deliveries the owner still leases (locked FOR UPDATE on
PostgreSQL, so no other worker can take one over until the group is committed), then one
executemany per kind of step and one for the statuses. Those are compiled once and their rows
go to the driver as they are (`prepared`): the group's time is converted once, not per row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Update, bindparam, case, or_, select, update

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

# Order inside one group: an attempt that will be retried is closed before the next attempt's
# in-flight mark; releases come last. (The fan-out never puts two steps of one part in a
# group, except "retrying" followed by its next "in flight".)
_UPDATES: dict[Step, Update] = {
    Step.RETRYING: update(P)
    .where(*_THIS_PART)
    .values(in_flight_at=None, last_error=_ERROR, updated_at=_NOW),
    Step.SENT: update(P)
    .where(*_THIS_PART)
    .values(
        status=Status.SENT.value,
        provider_message_id=bindparam("w_message"),
        sent_at=_NOW,
        updated_at=_NOW,
    ),
    Step.FAILED: update(P)
    .where(*_THIS_PART)
    .values(
        status=Status.FAILED.value,
        permanent=bindparam("w_permanent"),
        in_flight_at=None,
        last_error=_ERROR,
        updated_at=_NOW,
    ),
    Step.UNCERTAIN: update(P)
    .where(*_THIS_PART)
    .values(status=Status.UNCERTAIN.value, last_error=_ERROR, updated_at=_NOW),
    Step.SKIPPED: update(P)
    .where(P.c.delivery_id == bindparam("w_delivery"), P.c.status != Status.SENT.value)
    .values(status=Status.SKIPPED.value, in_flight_at=None, last_error=_ERROR, updated_at=_NOW),
    Step.IN_FLIGHT: update(P)
    .where(*_THIS_PART)
    .values(in_flight_at=_NOW, attempts=P.c.attempts + 1, updated_at=_NOW),
    Step.RELEASE: update(D)
    .where(D.c.id == bindparam("w_delivery"))
    .values(lease_owner=None, lease_expires_at=None, updated_at=_NOW),
}
_STATEMENTS = {kind: Prepared(statement) for kind, statement in _UPDATES.items()}
_FINISHING = (Step.SENT, Step.FAILED, Step.UNCERTAIN, Step.SKIPPED)


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
            by_kind: dict[Step, list[dict[str, Any]]] = {kind: [] for kind in _STATEMENTS}
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
            for kind, rows in by_kind.items():
                _STATEMENTS[kind].run_many(conn, rows, shared)
            _write_statuses(conn, statuses, now, self.dialect)
        return written


def _params(step: PartStep) -> dict[str, Any]:
    params: dict[str, Any] = {"w_delivery": step.delivery_id}
    if step.kind is Step.SENT:
        params["w_message"] = step.message_id
    elif step.kind is Step.FAILED:
        params["w_permanent"] = step.permanent
    if step.kind not in (Step.SKIPPED, Step.RELEASE):
        params["w_part"] = step.part_index
    if step.kind in (Step.RETRYING, Step.FAILED, Step.UNCERTAIN, Step.SKIPPED):
        params["w_error"] = clip_error(step.error or "")
    return params


def _write_statuses(conn: Any, statuses: Mapping[int, str | None], now: Any, dialect: str) -> None:
    known = [{"w_delivery": i, "w_status": s} for i, s in statuses.items() if s]
    derived = [{"w_delivery": i} for i, s in statuses.items() if s is None]
    _STATUS_IS.run_many(conn, known, {"w_now": now})
    if derived:
        _STATUS_FROM_PARTS.run_many(conn, derived, {"w_now": now})
        conn.execute(_holds_revision(dialect), {"w_ids": [d["w_delivery"] for d in derived]})


__all__ = ["StepBook"]
