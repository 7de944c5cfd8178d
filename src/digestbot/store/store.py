"""`Store`: the one object the rest of digestbot talks to for persistence."""

from __future__ import annotations

from digestbot.store.archive import IssueArchive
from digestbot.store.base import Clock
from digestbot.store.deliveries import DeliveryLedger
from digestbot.store.engine import create_store_engine, upgrade_schema
from digestbot.store.signups import SignupBook
from digestbot.store.subscribers import SubscriberBook


class Store(DeliveryLedger, SignupBook, SubscriberBook, IssueArchive):
    """Delivery ledger, subscribers (and their sign-ups) and published issues over one
    SQLAlchemy engine. Every method is one short transaction and thread-safe (each call
    checks out its own connection), so async callers may use `asyncio.to_thread`."""


def open_store(url: str, clock: Clock | None = None) -> Store:
    """Connect, create the SQLite parent folder if needed, and migrate to the newest schema.

    `url` is `sqlite:///relative/or/absolute.db` (relative to the working directory) or
    `postgresql[+psycopg]://user@host/db`. `clock` returns aware UTC times (tests move it)."""
    engine = create_store_engine(url)
    try:
        upgrade_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, clock)


__all__ = ["Store", "open_store"]
