"""The ledger: which issue went to whom, part by part, who subscribed, and what was published
(SQLAlchemy 2 + Alembic; SQLite embedded, PostgreSQL for several workers). Consumers take the
narrow Protocols of `interfaces`; only composition roots open a `Store`."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.store.engine import SchemaError, StoreUnavailable, parse_store_url
    from digestbot.store.interfaces import (
        Archive,
        ArchiveReader,
        DeliveryLog,
        DeliveryMoves,
        DeliveryPlan,
        Health,
        Ledger,
        Retractions,
        RevisionPlanner,
        Subscribers,
        WorkQueue,
        follow_migration,
    )
    from digestbot.store.migrating import migrate_store
    from digestbot.store.offloop import OffLoopLedger
    from digestbot.store.outage import Outage
    from digestbot.store.records import (
        ArchivedVersion,
        ClaimedDelivery,
        Held,
        IssueRecord,
        IssueRetracted,
        LogRow,
        PartAction,
        PartsFor,
        PartState,
        PartStep,
        RevisionInfo,
        RevisionPlan,
        SavedRevision,
        Status,
        Step,
        StoredIssue,
        SubscriberRow,
    )
    from digestbot.store.retraction_records import (
        RETRACTED,
        ClaimedRetraction,
        RetractionRow,
        Undo,
        UndoPart,
        UndoStep,
    )
    from digestbot.store.store import Store, open_store
    from digestbot.store.url import StoreURLError, sqlite_file
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "engine": ("SchemaError", "StoreUnavailable", "parse_store_url"),
            "interfaces": (
                "Archive",
                "ArchiveReader",
                "DeliveryLog",
                "DeliveryMoves",
                "DeliveryPlan",
                "Health",
                "Ledger",
                "RevisionPlanner",
                "Retractions",
                "Subscribers",
                "WorkQueue",
                "follow_migration",
            ),
            "records": (
                "ArchivedVersion",
                "ClaimedDelivery",
                "Held",
                "IssueRecord",
                "IssueRetracted",
                "LogRow",
                "PartAction",
                "PartState",
                "PartsFor",
                "RevisionInfo",
                "RevisionPlan",
                "SavedRevision",
                "PartStep",
                "Status",
                "Step",
                "StoredIssue",
                "SubscriberRow",
            ),
            "retraction_records": (
                "RETRACTED",
                "ClaimedRetraction",
                "RetractionRow",
                "Undo",
                "UndoPart",
                "UndoStep",
            ),
            "migrating": ("migrate_store",),
            "offloop": ("OffLoopLedger",),
            "outage": ("Outage",),
            "store": ("Store", "open_store"),
            "url": ("StoreURLError", "sqlite_file"),
        },
    )

__all__ = [
    "RETRACTED",
    "Archive",
    "ArchiveReader",
    "ArchivedVersion",
    "ClaimedDelivery",
    "ClaimedRetraction",
    "DeliveryLog",
    "DeliveryMoves",
    "DeliveryPlan",
    "Health",
    "Held",
    "IssueRecord",
    "IssueRetracted",
    "Ledger",
    "LogRow",
    "OffLoopLedger",
    "Outage",
    "PartAction",
    "PartState",
    "PartStep",
    "PartsFor",
    "RetractionRow",
    "Retractions",
    "RevisionInfo",
    "RevisionPlan",
    "RevisionPlanner",
    "SavedRevision",
    "SchemaError",
    "Status",
    "Step",
    "Store",
    "StoreURLError",
    "StoreUnavailable",
    "StoredIssue",
    "SubscriberRow",
    "Subscribers",
    "Undo",
    "UndoPart",
    "UndoStep",
    "WorkQueue",
    "follow_migration",
    "migrate_store",
    "open_store",
    "parse_store_url",
    "sqlite_file",
]
