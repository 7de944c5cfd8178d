"""A delivery's overall status, computed from its parts in one place: the SQL below, by the
precedence in `records.OVERALL_PRECEDENCE` (the first status any part has wins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, exists, select, update
from sqlalchemy.engine import Connection

from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.records import OVERALL_PRECEDENCE

D = deliveries
P = delivery_parts


def overall_status_sql(delivery_id: Any) -> Any:
    """The CASE for one row (a bound id) or for many (the id column)."""
    whens = [
        (
            exists().where(P.c.delivery_id == delivery_id, P.c.status == status.value),
            status.value,
        )
        for status in OVERALL_PRECEDENCE[:-1]
    ]
    return case(*whens, else_=OVERALL_PRECEDENCE[-1].value)


def recompute(conn: Connection, delivery_ids: Sequence[int], now: dt.datetime) -> dict[int, str]:
    """Set each delivery's overall status from its parts; returns the new statuses."""
    if not delivery_ids:
        return {}
    overall = overall_status_sql(D.c.id)
    conn.execute(
        update(D)
        .where(D.c.id.in_(delivery_ids), D.c.status != overall)
        .values(status=overall, updated_at=now)
    )
    rows = conn.execute(select(D.c.id, D.c.status).where(D.c.id.in_(delivery_ids)))
    return {delivery_id: status for delivery_id, status in rows}


__all__ = ["overall_status_sql", "recompute"]
