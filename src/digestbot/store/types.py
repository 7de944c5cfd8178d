"""Column types and value types the ledger shares: statuses and timezone-aware UTC times."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


class Status(enum.StrEnum):
    """The state of one part, and (derived from its parts) of one delivery."""

    PENDING = "pending"  # not sent yet (a part with in_flight_at set has a request out)
    SENT = "sent"
    FAILED = "failed"  # gave up; `permanent` on the part says whether `retry` may try again
    SKIPPED = "skipped"  # not sent on purpose (target gone, operator skip)
    UNCERTAIN = "uncertain"  # the request left and we never learnt whether it arrived


# Which status a delivery takes when its parts disagree: the first one present wins.
# A failed or uncertain part finishes the delivery (the rest wait for `retry`); any pending
# part otherwise keeps it open.
OVERALL_PRECEDENCE: tuple[Status, ...] = (
    Status.UNCERTAIN,
    Status.FAILED,
    Status.PENDING,
    Status.SKIPPED,
    Status.SENT,
)


def overall_status(part_statuses: list[str]) -> Status:
    present = set(part_statuses)
    for status in OVERALL_PRECEDENCE:
        if status in present:
            return status
    return Status.PENDING  # a delivery without parts has nothing sent yet


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zones, so it stores naive UTC; comparisons stay correct because every
    bound value goes through the same conversion."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


__all__ = ["OVERALL_PRECEDENCE", "UTC", "Status", "UTCDateTime", "overall_status", "utcnow"]
