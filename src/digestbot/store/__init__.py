"""The ledger: which issue went to whom, part by part, and who subscribed (SQLAlchemy 2 +
Alembic; SQLite embedded, PostgreSQL for several workers)."""

from __future__ import annotations

from digestbot.store.archive import ArchivedVersion, StoredIssue
from digestbot.store.engine import StoreURLError, parse_store_url, sqlite_file
from digestbot.store.records import ClaimedDelivery, LogRow, PartState, SubscriberRow
from digestbot.store.store import Store, open_store
from digestbot.store.types import Status

__all__ = [
    "ArchivedVersion",
    "ClaimedDelivery",
    "LogRow",
    "PartState",
    "Status",
    "Store",
    "StoreURLError",
    "StoredIssue",
    "SubscriberRow",
    "open_store",
    "parse_store_url",
    "sqlite_file",
]
