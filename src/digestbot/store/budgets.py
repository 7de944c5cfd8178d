"""Provider rate limits shared by every worker on one database.

A budget is a GCRA bucket kept in one row (`rate_budgets`): its theoretical arrival time
`tat`, in seconds on the *database's* clock, the only clock all workers share. A worker
reserves a block of `count` sends in one statement: the row moves forward by
`count × interval` atomically, and the worker learns where its block starts and what time the
database had, which it turns into departure times on its own clock. Reserving in blocks keeps
the cost at one short statement per few messages.

Send k of a block starting at `start` may leave at `max(now, start + k·interval − tolerance)`
(`tolerance` = (burst − 1)·interval): exactly what one in-process GCRA bucket would allow,
whichever worker sends."""

from __future__ import annotations

import time

from sqlalchemy import TextClause, text

from digestbot.store.base import StoreBase
from digestbot.store.models import rate_budgets

_TABLE = rate_budgets.name


def _reserve(now: str, greatest: str) -> TextClause:
    # Only this module's constants are put into the statement.
    statement = (
        f"INSERT INTO {_TABLE} (key, tat) VALUES (:key, {now} + :span) "  # noqa: S608
        f"ON CONFLICT (key) DO UPDATE SET tat = {greatest}({_TABLE}.tat, {now}) + :span "
        f"RETURNING tat - :span, {now}"
    )
    return text(statement)


# PostgreSQL's clock is the one every worker shares; SQLite serves one process, whose clock
# is passed in.
_POSTGRES = _reserve("extract(epoch FROM statement_timestamp())::float8", "greatest")
_SQLITE = _reserve(":now", "max")


class RateBudgets(StoreBase):
    @property
    def budgets_shared(self) -> bool:
        """Whether several processes can share this database (and so need these budgets):
        PostgreSQL. SQLite serves one process, whose own limiter is enough."""
        return self.dialect == "postgresql"

    def reserve_sends(self, key: str, interval: float, count: int) -> tuple[float, float]:
        """Reserve `count` sends of the budget `key` (one per `interval` seconds on average).
        Returns (where the block starts, the database's time now), both in epoch seconds."""
        reserve = _POSTGRES if self.dialect == "postgresql" else _SQLITE
        with self._write() as conn:
            start, now = conn.execute(
                reserve, {"key": key, "span": interval * count, "now": time.time()}
            ).one()
        return float(start), float(now)


__all__ = ["RateBudgets"]
