"""Alembic upgrades: `digestbot migrate`, and `open_store` when the schema is behind (only then
is Alembic imported: see `schema_version`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from digestbot.store.engine import (
    MIGRATION_LOCK_KEY_SQL,
    MIGRATIONS_DIR,
    WRITE_OPTION,
    SchemaError,
    StoreUnavailable,
    create_store_engine,
    failure_reason,
)


def upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest migration (a no-op when it is already there) and return
    the revisions before and after. On PostgreSQL it holds an advisory lock for the schema,
    so replicas starting together migrate once: the others wait, then find nothing to do."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY_SQL})"))
            before = MigrationContext.configure(conn).get_current_revision()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            after = MigrationContext.configure(conn).get_current_revision()
    assert after is not None
    return before, after


def migrate_store(url: str) -> tuple[str | None, str]:
    """`upgrade_schema` on the store at `url`, for `digestbot migrate`: StoreUnavailable or
    SchemaError instead of the database stack's own exceptions."""
    engine = create_store_engine(url)
    try:
        return upgrade_schema(engine)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"{type(exc).__name__}: {failure_reason(exc, engine.url)}") from None
    except CommandError as exc:
        raise SchemaError(str(exc)) from None
    finally:
        engine.dispose()


__all__ = ["migrate_store", "upgrade_schema"]
