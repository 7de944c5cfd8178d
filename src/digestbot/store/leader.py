"""One leader among the replicas of `digestbot run` for a piece of work (the day's poll): a
PostgreSQL session advisory lock, held on a connection of its own while the work runs. A
replica that finds it taken leaves the work to the holder. If the holder dies or loses its
connection, the lock goes with its session and the next poll elsewhere takes it. SQLite
serves one process: it always leads."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from digestbot.store.base import StoreBase

# Per database and schema, like the migration lock: two deployments on one server never
# wait for each other.
_TRY_LEAD = text(
    "SELECT pg_try_advisory_lock(hashtextextended('digestbot.lead:' || current_database() "
    "|| '.' || current_schema() || ':' || :name, 0))"
)


class LeaderLocks(StoreBase):
    def try_lead(self, name: str) -> bool:
        """Lead `name` until `resign(name)`; False when another replica leads it now."""
        if self.dialect != "postgresql":
            return True
        held = self._leads()
        if name in held:
            return True
        conn = self.engine.connect()
        try:
            leading = bool(conn.execute(_TRY_LEAD, {"name": name}).scalar())
            conn.commit()  # the session keeps the lock; no transaction stays open
        except BaseException:
            conn.invalidate()
            conn.close()
            raise
        if not leading:
            conn.close()
            return False
        held[name] = conn
        return True

    def resign(self, name: str) -> None:
        """Stop leading `name`: its session is closed, which drops the lock for sure (even
        when the database went away meanwhile and came back)."""
        conn = self._leads().pop(name, None)
        if conn is not None:
            conn.invalidate()
            conn.close()

    def _leads(self) -> dict[str, Connection]:
        held: dict[str, Connection] = self.__dict__.setdefault("_held_leads", {})
        return held


__all__ = ["LeaderLocks"]
