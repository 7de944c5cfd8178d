"""Opening the database: URL checks, SQLite pragmas and transaction mode. (Bringing the schema
up to date: `schema_version`, and `migrating` when Alembic must run.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from digestbot.store.url import StoreURLError, normalize_store_url, sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The advisory lock serializing migrations is per database *and* schema: processes migrating
# the same schema wait for each other, those migrating another schema (parallel test runs,
# two deployments sharing a server) never do.
MIGRATION_LOCK_KEY_SQL = (
    "hashtextextended('digestbot.migrate:' || current_database() || '.' || current_schema(), 0)"
)
# Execution option marking a transaction that will write (SQLite takes the write lock at BEGIN).
WRITE_OPTION = "digestbot_write"


def parse_store_url(url: str) -> URL:
    """SQLAlchemy's URL for a store URL, with the installed PostgreSQL driver made explicit."""
    normalized = normalize_store_url(url)
    try:
        return make_url(normalized)
    except (ArgumentError, ValueError) as exc:
        raise StoreURLError(
            "is not a database URL (sqlite:///… or postgresql+psycopg://…)"
        ) from exc


class StoreUnavailable(Exception):
    """The database cannot be reached; the message says why, with any password masked."""


class SchemaError(Exception):
    """The schema cannot be brought to this version (e.g. it is newer than this digestbot)."""


def failure_reason(exc: BaseException, url: URL) -> str:
    """The first line of a database error, with the URL's password masked, for one-line
    operator messages."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return reason.replace(str(url.password), "***") if url.password else reason


def create_store_engine(url: str) -> Engine:
    parsed = parse_store_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_file(url))
    return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _sqlite_engine(url: URL, path: Path | None) -> Engine:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below; pysqlite's own
        # implicit BEGIN would be DEFERRED, and a deferred transaction that later writes can
        # fail with SQLITE_BUSY instead of waiting.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the one writer
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


__all__ = [
    "MIGRATIONS_DIR",
    "MIGRATION_LOCK_KEY_SQL",
    "SchemaError",
    "StoreUnavailable",
    "create_store_engine",
    "failure_reason",
    "parse_store_url",
]
