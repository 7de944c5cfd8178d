"""What the rest of digestbot may ask of the store, one narrow Protocol per concern. Consumers
take the Protocols they use (the fan-out a `Ledger` and `Subscribers`, `/healthz` a `Health`,
`/today` an `ArchiveReader`), never the `Store` that implements them all.

Every method is one short transaction that takes and returns plain values (`store.records`), so
an implementation that keeps the database off the event loop can wrap these one by one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from digestbot.model import Channel, Variant
from digestbot.store.records import (
    ArchivedVersion,
    ClaimedDelivery,
    Held,
    IssueRecord,
    LogRow,
    PartsFor,
    PartStep,
    RevisionPlan,
    SavedRevision,
    Status,
    StoredIssue,
    SubscriberRow,
)
from digestbot.store.retraction_records import (
    ClaimedRetraction,
    RetractionRow,
    Undo,
    UndoStep,
)


class Health(Protocol):
    def ping(self) -> None:
        """Raise unless the database answers."""


class ArchiveReader(Protocol):
    """The published issues, as they went out: the current revision of each day that was not
    retracted."""

    def get_issue(self, issue_date: dt.date, revision: int | None = None) -> StoredIssue | None: ...

    def latest_issue(self, on_or_before: dt.date | None = None) -> StoredIssue | None: ...

    def list_issues(self, limit: int | None = None) -> list[ArchivedVersion]: ...


class Archive(ArchiveReader, Protocol):
    """Publishing keeps what it sends; the first version of a day wins until a correction
    adds a revision; a retraction stops serving the day."""

    def save_issue(self, issue_date: dt.date, filename: str, data: bytes) -> bool: ...

    def add_revision(self, issue_date: dt.date, filename: str, data: bytes) -> SavedRevision: ...

    def retract_issue(self, issue_date: dt.date, reason: str) -> bool: ...

    def issue_record(self, issue_date: dt.date) -> IssueRecord | None: ...

    def get_revision(self, issue_date: dt.date, revision: int) -> StoredIssue | None: ...


class Subscribers(Protocol):
    """Readers who joined on their own, and where a target lives now."""

    def subscribe(
        self, channel: Channel, target: str, variant: Variant, display_name: str | None = None
    ) -> bool: ...

    def unsubscribe(self, channel: Channel, target: str) -> bool: ...

    def deactivate(self, channel: Channel, target: str, reason: str) -> bool: ...

    def set_variant(self, channel: Channel, target: str, variant: Variant) -> bool: ...

    def get_subscriber(self, channel: Channel, target: str) -> SubscriberRow | None: ...

    def count_active_subscribers(self, channel: Channel) -> int: ...

    def iter_active_subscribers(
        self, channel: Channel, batch: int = 1000
    ) -> Iterator[tuple[str, Variant]]: ...

    def resolve_targets(self, channel: Channel, targets: Iterable[str]) -> dict[str, str]: ...

    def inactive_targets(self, channel: Channel, targets: Iterable[str]) -> set[str]: ...

    def migrate_target(self, channel: Channel, old: str, new: str) -> None:
        """The subscriber and the alias move; the ledger moves its own rows
        (`DeliveryMoves.move_deliveries`; `follow_migration` does both)."""


class DeliveryPlan(Protocol):
    """What is to be sent: intent rows before the first send, reopened rows for `retry`."""

    def ensure_deliveries(
        self,
        issue_date: dt.date,
        channel: Channel,
        variant_targets: Iterable[tuple[str, Variant]],
        parts_total_by_variant: Mapping[Variant, int],
        revision: int = 1,
    ) -> int: ...

    def reset_failed_transient(
        self, issue_date: dt.date, channel: Channel | None = None
    ) -> int: ...

    def reset_uncertain(self, issue_date: dt.date, channel: Channel | None = None) -> int: ...


class RevisionPlanner(Protocol):
    """Corrections: deliveries of an older revision replanned for the new one, and who holds
    which revision."""

    def plan_revision(
        self,
        issue_date: dt.date,
        channel: Channel,
        revision: int,
        parts_for: PartsFor,
        held: Held = Held.EDIT,
    ) -> RevisionPlan: ...

    def revisions_held(self, issue_date: dt.date) -> dict[Channel, dict[int | None, int]]: ...


class DeliveryLog(Protocol):
    """What happened, for people: `digestbot log`, the end-of-run table, `/status`."""

    def summary(self, issue_date: dt.date) -> dict[Channel, Counter[Status]]: ...

    def log(
        self,
        issue_date: dt.date | None = None,
        channel: Channel | None = None,
        status: Status | None = None,
    ) -> Iterator[LogRow]: ...


class Ledger(Protocol):
    """The fan-out's work queue: lease rows in batches, record every step of every part
    (`PartStep`s, written in groups and fenced by the lease)."""

    def now(self) -> dt.datetime: ...

    def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        include_uncertain: bool = False,
        revision: int | None = None,
    ) -> list[ClaimedDelivery]: ...

    def renew_lease(self, delivery_ids: Sequence[int], owner: str, lease_seconds: float) -> int: ...

    def release(self, delivery_ids: Sequence[int], owner: str) -> int: ...

    def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]: ...

    def break_leases(
        self, owner: str, issue_date: dt.date | None = None, channel: Channel | None = None
    ) -> int: ...

    def sent_since(self, channel: Channel, since: dt.datetime) -> list[tuple[str, dt.datetime]]: ...

    def record_steps(self, owner: str, steps: Sequence[PartStep]) -> list[bool]:
        """Write every step in one transaction; per step, False when `owner` no longer
        leases its delivery (nothing was written for it)."""
        ...

    def step_down(
        self, claimed: ClaimedDelivery, form: str, parts_total: int, reason: str
    ) -> ClaimedDelivery | None:
        """Replan `claimed` as `parts_total` pending parts of the smaller `form`; None when
        the lease is lost or part of it already reached the target."""
        ...


class WorkQueue(Protocol):
    """The `Ledger` as the fan-out uses it from the event loop (`OffLoopLedger`): the same
    work, awaited, with part steps committed in groups and a database outage waited out."""

    def now(self) -> dt.datetime: ...

    async def claim(
        self,
        issue_date: dt.date,
        channel: Channel,
        owner: str,
        limit: int,
        lease_seconds: float,
        include_uncertain: bool = False,
        revision: int | None = None,
    ) -> list[ClaimedDelivery]: ...

    async def record(self, owner: str, step: PartStep) -> bool:
        """True once `step` is committed; False when `owner` no longer leases its delivery."""
        ...

    def queue(self, owner: str, step: PartStep) -> Awaitable[bool]:
        """`record` in two halves: `step` is queued behind every step queued before it now,
        and the result is awaited later (after letting go of the connection)."""
        ...

    async def step_down(
        self, claimed: ClaimedDelivery, form: str, parts_total: int, reason: str
    ) -> ClaimedDelivery | None: ...

    async def renew_lease(self, delivery_ids: Sequence[int], owner: str, seconds: float) -> int: ...

    async def release(self, delivery_ids: Sequence[int], owner: str) -> int: ...

    async def lease_owners(self, issue_date: dt.date, channel: Channel) -> set[str]: ...

    async def break_leases(self, owner: str) -> int: ...

    async def free_own_leases(self, owner: str, issue_date: dt.date, channel: Channel) -> int:
        """End `owner`'s leases on this issue and channel (rows a lost claim leased to it)."""
        ...

    async def sent_since(
        self, channel: Channel, since: dt.datetime
    ) -> list[tuple[str, dt.datetime]]: ...

    async def deactivate(self, channel: Channel, target: str, reason: str) -> bool: ...

    async def follow_migration(self, channel: Channel, old: str, new: str) -> None: ...


class Retractions(Protocol):
    """Taking an issue back (`store.retractions`): the plan, its work queue, its steps and
    what happened. Called through `OffLoopLedger.call` from the event loop."""

    def now(self) -> dt.datetime: ...

    def plan_retraction(self, issue_date: dt.date) -> int: ...

    def claim_retractions(
        self, issue_date: dt.date, channel: Channel, owner: str, limit: int, lease_seconds: float
    ) -> list[ClaimedRetraction]: ...

    def renew_retraction_leases(
        self, delivery_ids: Sequence[int], owner: str, lease_seconds: float
    ) -> int: ...

    def release_retractions(self, delivery_ids: Sequence[int], owner: str) -> int: ...

    def retraction_owners(self, issue_date: dt.date, channel: Channel) -> set[str]: ...

    def break_retraction_leases(self, owner: str) -> int: ...

    def record_undo_steps(self, owner: str, steps: Sequence[UndoStep]) -> list[bool]: ...

    def retraction_log(
        self, issue_date: dt.date, state: Undo | None = None
    ) -> list[RetractionRow]: ...

    def retraction_summary(self, issue_date: dt.date) -> dict[Channel, Counter[Undo]]: ...

    def retraction_requests(self, issue_date: dt.date) -> dict[Channel, Counter[Undo]]: ...

    def undo_requests_since(
        self, channel: Channel, since: dt.datetime
    ) -> list[tuple[str, dt.datetime]]: ...

    def sent_since(self, channel: Channel, since: dt.datetime) -> list[tuple[str, dt.datetime]]: ...


class SharedBudgets(Protocol):
    """Provider limits shared by every worker on the database (`store.budgets`)."""

    @property
    def budgets_shared(self) -> bool:
        """True where several processes may share the database (PostgreSQL)."""
        ...

    def reserve_sends(self, key: str, interval: float, count: int) -> tuple[float, float]:
        """Reserve `count` sends; (where the block starts, the database's now), epoch s."""
        ...

    def reserve_each(
        self, sends: Sequence[tuple[str, float]], interval: float
    ) -> tuple[dict[str, float], float]:
        """One send per (key, not before) in burst-1 budgets; (when each leaves, db now)."""
        ...

    def hold_budget(self, key: str, seconds: float) -> None:
        """Nothing in budget `key` leaves before `seconds` from now (a retry_after)."""
        ...

    def prune_budgets(self) -> int:
        """Delete the budgets long past (no limit left in them); how many went."""
        ...


class NoticeLog(Protocol):
    """Admin notices that go out once per issue (`store.notices`)."""

    def first_notice(self, issue_date: dt.date, kind: str) -> bool: ...

    def forget_notice(self, issue_date: dt.date, kind: str) -> None: ...


class Leadership(Protocol):
    """One replica leads a piece of work at a time (`store.leader`)."""

    def try_lead(self, name: str) -> bool: ...

    def resign(self, name: str) -> None: ...


class DeliveryMoves(Protocol):
    def move_deliveries(self, channel: Channel, old: str, new: str) -> None:
        """Unfinished deliveries to `old` go to `new` (one that would duplicate a delivery to
        `new` is skipped): the ledger's own rows, moved by the ledger."""


def follow_migration(
    subscribers: Subscribers, ledger: DeliveryMoves, channel: Channel, old: str, new: str
) -> None:
    """`old` is now `new` (Telegram's migrate_to_chat_id). Subscribers first: if the process
    stops in between, the next send to `old` meets the migration again and moves the rest."""
    subscribers.migrate_target(channel, old, new)
    ledger.move_deliveries(channel, old, new)


__all__ = [
    "Archive",
    "ArchiveReader",
    "DeliveryLog",
    "DeliveryMoves",
    "DeliveryPlan",
    "Health",
    "Leadership",
    "Ledger",
    "NoticeLog",
    "Retractions",
    "RevisionPlanner",
    "SharedBudgets",
    "Subscribers",
    "WorkQueue",
    "follow_migration",
]
