"""The ledger: which issue went to whom, part by part, and who subscribed (SQLAlchemy 2 +
Alembic; SQLite embedded, PostgreSQL for several workers)."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.store.archive import ArchivedVersion, StoredIssue
    from digestbot.store.engine import parse_store_url
    from digestbot.store.records import ClaimedDelivery, LogRow, PartState, SubscriberRow
    from digestbot.store.store import Store, open_store
    from digestbot.store.types import Status
    from digestbot.store.url import StoreURLError, sqlite_file
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "archive": ("ArchivedVersion", "StoredIssue"),
            "records": ("ClaimedDelivery", "LogRow", "PartState", "SubscriberRow"),
            "store": ("Store", "open_store"),
            "types": ("Status",),
            "engine": ("parse_store_url",),
            "url": ("StoreURLError", "sqlite_file"),
        },
    )

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
