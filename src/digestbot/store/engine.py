"""Opening the database: URL checks, SQLite pragmas and transaction mode, Alembic upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from digestbot.store.url import StoreURLError, normalize_store_url, sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works: it only has to be the same number in every digestbot process.
_MIGRATION_LOCK_KEY = 0x6469676573  # "diges"
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


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op when it is already there."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                # Two workers starting together must not both create the tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


__all__ = ["MIGRATIONS_DIR", "create_store_engine", "parse_store_url", "upgrade_schema"]
