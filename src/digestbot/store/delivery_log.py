"""What happened, for people: the delivery log (`digestbot log`) and the per-channel counts
(the end-of-run table, `/status`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from sqlalchemy import func, select

from digestbot.model import Channel, Variant
from digestbot.store.base import StoreBase
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.records import LogRow, Status

D = deliveries
P = delivery_parts
LOG_FETCH = 500


class DeliveryReports(StoreBase):
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
            D.c.revision,
            D.c.held_revision,
            D.c.form,
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
                    revision=r.revision,
                    held_revision=r.held_revision,
                    form=r.form,
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


__all__ = ["DeliveryReports"]
