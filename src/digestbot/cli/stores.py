"""The store for the commands that use it: opened and migrated, or one line and exit 2 or 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from digestbot.cli.app import EXIT_STORE_UNAVAILABLE, fail
from digestbot.config import Config
from digestbot.store import Store, StoreUnavailable, StoreURLError, open_store
from digestbot.store.outage import is_unavailable, reason_of


def store_or_exit(config: Config) -> Store:
    """The opened, migrated store; a bad URL exits 2, a store that cannot be reached or used
    (the database is down, the file unwritable, the schema newer than this digestbot) 3."""
    try:
        return open_store(config.store.url.get_secret_value())
    except StoreURLError as exc:
        fail(f"store.url: {exc}")
    except Exception as exc:  # the DB is down / the file is unwritable: say where, not a trace
        fail(
            f"store ({config.store.safe_url}) unavailable: {reason_of(exc)}",
            EXIT_STORE_UNAVAILABLE,
        )


@contextmanager
def store_outage_exits(config: Config) -> Iterator[None]:
    """A database that goes away mid-command and does not come back within
    `[store] outage_patience`: one line and exit 3, never a traceback. (Nothing was sent
    without its record: a part's in-flight mark is written before it leaves.)"""
    try:
        yield
    except StoreUnavailable as exc:
        fail(f"store ({config.store.safe_url}) unavailable: {exc}", EXIT_STORE_UNAVAILABLE)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        fail(
            f"store ({config.store.safe_url}) unavailable: {reason_of(exc)}",
            EXIT_STORE_UNAVAILABLE,
        )


__all__ = ["store_or_exit", "store_outage_exits"]
