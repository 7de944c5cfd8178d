"""`digestbot migrate`: bring the store's schema to this version of digestbot, once, before the
service starts (compose runs it as a one-shot service; `run` would do it too, under the same
lock, but a failed migration is easier to read on its own)."""

from __future__ import annotations

import typer
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from digestbot.cli.app import EXIT_STORE_UNAVAILABLE, app, fail
from digestbot.cli.common import config_or_exit
from digestbot.store import StoreURLError
from digestbot.store.engine import create_store_engine, failure_reason, upgrade_schema


@app.command("migrate")
def migrate_command() -> None:
    """Upgrade the store's schema to the newest migration. Safe to run again; on PostgreSQL,
    concurrent runs (and starting replicas) wait for each other.

    Exit 0 done, 1 the schema cannot be upgraded, 2 bad config, 3 store unavailable."""
    config = config_or_exit()
    where = config.store.safe_url
    try:
        engine = create_store_engine(config.store.url.get_secret_value())
    except StoreURLError as exc:
        fail(f"store.url: {exc}")
    try:
        before, after = upgrade_schema(engine)
    except SQLAlchemyError as exc:
        reason = failure_reason(exc, engine.url)
        fail(f"store ({where}) unavailable: {type(exc).__name__}: {reason}", EXIT_STORE_UNAVAILABLE)
    except CommandError as exc:  # e.g. a schema newer than this digestbot knows
        fail(f"store ({where}): cannot migrate: {exc}", 1)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"store {where}: schema already at {after} (newest)")
    else:
        typer.echo(f"store {where}: schema upgraded {before or 'empty'} → {after}")
