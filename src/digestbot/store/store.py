"""`Store`: every part of persistence over one engine, for the composition roots to hand out
as the narrow interfaces of `store.interfaces`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from digestbot.store.archive import IssueArchive
from digestbot.store.base import Clock
from digestbot.store.budgets import RateBudgets
from digestbot.store.deliveries import DeliveryLedger
from digestbot.store.delivery_log import DeliveryReports
from digestbot.store.delivery_plan import DeliveryIntents
from digestbot.store.engine import create_store_engine
from digestbot.store.interfaces import (
    Archive,
    DeliveryLog,
    DeliveryMoves,
    DeliveryPlan,
    Health,
    Leadership,
    Ledger,
    NoticeLog,
    Retractions,
    SharedBudgets,
    Subscribers,
)
from digestbot.store.leader import LeaderLocks
from digestbot.store.notices import NoticeBook
from digestbot.store.retraction_steps import RetractionSteps
from digestbot.store.retractions import RetractionQueue
from digestbot.store.revisions import DeliveryRevisions
from digestbot.store.schema_version import ensure_current_schema
from digestbot.store.signups import SignupBook
from digestbot.store.stepdowns import StepDowns
from digestbot.store.steps import StepBook
from digestbot.store.subscribers import SubscriberBook


class Store(
    DeliveryLedger,
    StepBook,
    StepDowns,
    DeliveryIntents,
    DeliveryRevisions,
    DeliveryReports,
    SignupBook,
    SubscriberBook,
    IssueArchive,
    RetractionQueue,
    RetractionSteps,
    RateBudgets,
    NoticeBook,
    LeaderLocks,
):
    """Delivery ledger, subscribers (and their sign-ups) and published issues over one
    SQLAlchemy engine. Every method is one short transaction and thread-safe (each call
    checks out its own connection), so async callers may use `asyncio.to_thread`. Only the
    composition roots (`digestbot run`, the CLI) hold a Store; everything else takes the
    Protocols of `store.interfaces` it uses."""


if TYPE_CHECKING:  # mypy proves here that a Store is each of the narrow interfaces

    def _implements(
        store: Store,
    ) -> tuple[
        Ledger,
        DeliveryMoves,
        DeliveryPlan,
        DeliveryLog,
        Subscribers,
        Archive,
        Health,
        Retractions,
        SharedBudgets,
        NoticeLog,
        Leadership,
    ]:
        return store, store, store, store, store, store, store, store, store, store, store


def open_store(url: str, clock: Clock | None = None) -> Store:
    """Connect, create the SQLite parent folder if needed, and migrate to the newest schema
    (a schema already there costs one read; see `schema_version`).

    `url` is `sqlite:///relative/or/absolute.db` (relative to the working directory) or
    `postgresql[+psycopg]://user@host/db`. `clock` returns aware UTC times (tests move it)."""
    engine = create_store_engine(url)
    try:
        ensure_current_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, clock)


__all__ = ["Store", "open_store"]
