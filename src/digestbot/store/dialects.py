"""The dialect's own INSERT (for ON CONFLICT), its module imported only by a store on it.

`sqlalchemy.dialects.postgresql` takes ~25 ms to import; a SQLite store (a daily `publish`
from one machine) never needs it, and a PostgreSQL one never needs SQLite's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def dialect_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT INTO `table` with the dialect's ON CONFLICT clauses available."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


__all__ = ["dialect_insert"]
