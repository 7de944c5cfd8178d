"""`digestbot migrate`: bring the store's schema to this version of digestbot, once, before the
service starts (compose runs it as a one-shot service; `run` would do it too, under the same
lock, but a failed migration is easier to read on its own)."""

from __future__ import annotations

import typer

from digestbot.cli.app import EXIT_STORE_UNAVAILABLE, app, fail
from digestbot.cli.common import config_or_exit
from digestbot.store import SchemaError, StoreUnavailable, StoreURLError, migrate_store


@app.command("migrate")
def migrate_command() -> None:
    """Upgrade the store's schema to the newest migration. Safe to run again; on PostgreSQL,
    concurrent runs (and starting replicas) wait for each other.

    Exit 0 done, 1 the schema cannot be upgraded, 2 bad config, 3 store unavailable."""
    config = config_or_exit()
    where = config.store.safe_url
    try:
        before, after = migrate_store(config.store.url.get_secret_value())
    except StoreURLError as exc:
        fail(f"store.url: {exc}")
    except StoreUnavailable as exc:
        fail(f"store ({where}) unavailable: {exc}", EXIT_STORE_UNAVAILABLE)
    except SchemaError as exc:
        fail(f"store ({where}): cannot migrate: {exc}", 1)
    if before == after:
        typer.echo(f"store {where}: schema already at {after} (newest)")
    else:
        typer.echo(f"store {where}: schema upgraded {before or 'empty'} → {after}")
