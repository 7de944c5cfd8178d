"""Provider rate limits shared by every worker on one database.

A budget is a GCRA bucket kept in one row (`rate_budgets`): its theoretical arrival time
`tat`, in seconds on the *database's* clock, the only clock all workers share. A worker
reserves a block of `count` sends in one statement: the row moves forward by
`count × interval` atomically, and the worker learns where its block starts and what time the
database had, which it turns into departure times on its own clock. Reserving in blocks keeps
the cost at one short statement per few messages.

Send k of a block starting at `start` may leave at `max(now, start + k·interval − tolerance)`
(`tolerance` = (burst − 1)·interval): exactly what one in-process GCRA bucket would allow,
whichever worker sends.

Per-chat budgets (one message a second per chat) are rows of the same table with a burst of
one: every chat a batch of sends goes to is reserved in one statement, each not before the
time its send was going to leave anyway (its slot in the bot-wide budget). A provider's
retry_after pushes a row's `tat` forward, so every worker waits it out.

A row whose `tat` has passed acts exactly as no row (every statement starts from the later of
`tat` and now), so rows long past are deleted (`prune_budgets`) instead of piling up, one per
chat ever sent to."""

from __future__ import annotations

import time
from collections.abc import Sequence

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


def _reserve_after(now: str, greatest: str, rows: str) -> TextClause:
    """One send for each row of `rows` (key, after): each leaves at the later of its row's
    `tat` and `after` seconds from now; the row moves one interval past that. `after` is
    relative so that no worker's clock has to be turned into the database's."""
    statement = (
        f"INSERT INTO {_TABLE} (key, tat) "  # noqa: S608
        # WHERE true: SQLite cannot tell an upsert's ON CONFLICT from a join's ON without it.
        f"SELECT key, {now} + after + :span FROM {rows} WHERE true "
        f"ORDER BY key ON CONFLICT (key) DO UPDATE SET tat = "
        f"{greatest}({_TABLE}.tat, excluded.tat - :span) + :span "
        f"RETURNING key, tat - :span, {now}"
    )
    return text(statement)


def _hold(now: str, greatest: str) -> TextClause:
    statement = (
        f"INSERT INTO {_TABLE} (key, tat) VALUES (:key, {now} + :hold) "  # noqa: S608
        f"ON CONFLICT (key) DO UPDATE SET tat = {greatest}({_TABLE}.tat, {now} + :hold)"
    )
    return text(statement)


def _prune(now: str) -> TextClause:
    return text(f"DELETE FROM {_TABLE} WHERE tat < {now} - :margin")  # noqa: S608


# Only rows whose `tat` has passed go, which already limit nothing (a retry_after's hold, however
# long, is a `tat` ahead). The budgets space sends a second apart at most (the bot's, a chat's),
# so an hour past is margin enough for any worker still reading a row it reserved from.
PRUNE_AFTER_SECONDS = 3600.0

# PostgreSQL's clock is the one every worker shares; SQLite serves one process, whose clock
# is passed in.
_PG_NOW = "extract(epoch FROM statement_timestamp())::float8"
_POSTGRES = _reserve(_PG_NOW, "greatest")
_SQLITE = _reserve(":now", "max")
# Rows taken in key order: concurrent batches lock them in the same order, never deadlock.
_POSTGRES_EACH = _reserve_after(
    _PG_NOW,
    "greatest",
    "unnest(CAST(:keys AS text[]), CAST(:after AS float8[])) AS wanted(key, after)",
)
_SQLITE_EACH = _reserve_after(":now", "max", "(SELECT :key AS key, :after AS after) AS wanted")
_POSTGRES_HOLD = _hold(_PG_NOW, "greatest")
_SQLITE_HOLD = _hold(":now", "max")
_POSTGRES_PRUNE = _prune(_PG_NOW)
_SQLITE_PRUNE = _prune(":now")


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

    def reserve_each(
        self, sends: Sequence[tuple[str, float]], interval: float
    ) -> tuple[dict[str, float], float]:
        """One send for each (budget key, not before: seconds from now) of `sends`, keys
        distinct, in budgets of one send per `interval` and no burst. Returns when each may
        leave and the database's time now, epoch seconds. One statement on PostgreSQL."""
        ordered = sorted((key, max(0.0, after)) for key, after in sends)
        found: dict[str, float] = {}
        db_now = time.time()
        with self._write() as conn:
            if self.dialect == "postgresql":
                values = {
                    "keys": [key for key, _ in ordered],
                    "after": [after for _, after in ordered],
                    "span": interval,
                }
                rows = list(conn.execute(_POSTGRES_EACH, values).all())
            else:
                rows = [
                    conn.execute(
                        _SQLITE_EACH, {"key": key, "after": after, "span": interval, "now": db_now}
                    ).one()
                    for key, after in ordered
                ]
        for key, at, now in rows:
            found[str(key)] = float(at)
            db_now = float(now)
        return found, db_now

    def hold_budget(self, key: str, seconds: float) -> None:
        """The provider said retry_after: the budget `key` lets nothing leave before `seconds`
        from now (its `tat` is pushed to then, never pulled back)."""
        hold = _POSTGRES_HOLD if self.dialect == "postgresql" else _SQLITE_HOLD
        with self._write() as conn:
            conn.execute(hold, {"key": key, "hold": seconds, "now": time.time()})

    def prune_budgets(self, past: float = PRUNE_AFTER_SECONDS) -> int:
        """Delete the budgets whose `tat` is more than `past` seconds ago (they limit nothing);
        how many went. One statement; a budget in use has its `tat` about now or later."""
        prune = _POSTGRES_PRUNE if self.dialect == "postgresql" else _SQLITE_PRUNE
        with self._write() as conn:
            return conn.execute(prune, {"margin": past, "now": time.time()}).rowcount


__all__ = ["PRUNE_AFTER_SECONDS", "RateBudgets"]
