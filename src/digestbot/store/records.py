"""What the store hands back: plain frozen values, never live ORM objects. No database code:
consumers import these (and `store.interfaces`) without loading SQLAlchemy."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from digestbot.model import Channel, Variant


class Status(enum.StrEnum):
    """The state of one part, and (derived from its parts) of one delivery."""

    PENDING = "pending"  # not sent yet (a part with in_flight_at set has a request out)
    SENT = "sent"
    FAILED = "failed"  # gave up; `permanent` on the part says whether `retry` may try again
    SKIPPED = "skipped"  # not sent on purpose (target gone, operator skip)
    UNCERTAIN = "uncertain"  # the request left and we never learnt whether it arrived


# Which status a delivery takes when its parts disagree: the first one present wins.
# A failed or uncertain part finishes the delivery (the rest wait for `retry`); any pending
# part otherwise keeps it open.
OVERALL_PRECEDENCE: tuple[Status, ...] = (
    Status.UNCERTAIN,
    Status.FAILED,
    Status.PENDING,
    Status.SKIPPED,
    Status.SENT,
)


class PartAction(enum.StrEnum):
    """What a part does. A first send is all SEND; a correction replans the parts of a
    delivery that went out (`store.revisions`)."""

    SEND = "send"  # a new message (a reply to part 0 after the first)
    EDIT = "edit"  # replace `provider_message_id` in place (Telegram, Slack)
    DELETE = "delete"  # remove `provider_message_id`: the corrected digest has fewer parts
    NOTICE = "notice"  # email cannot be edited: one short correction mail


@dataclass(frozen=True, slots=True)
class PartState:
    index: int
    status: Status
    attempts: int
    provider_message_id: str | None  # Slack threads later parts under part 0's id
    last_error: str | None
    action: PartAction = PartAction.SEND

    @property
    def live(self) -> bool:
        """A message of this part is (as far as we know) in the target's chat."""
        if self.provider_message_id is None:
            return False
        return not (self.action is PartAction.DELETE and self.status is Status.SENT)


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery leased to one worker until `lease_expires_at`. Send the parts whose status is
    not `sent`/`skipped`, in order; renew the lease when sending takes long."""

    id: int
    issue_date: dt.date
    channel: Channel
    target: str
    variant: Variant
    status: Status
    parts_total: int
    parts: tuple[PartState, ...]
    lease_owner: str
    lease_expires_at: dt.datetime
    revision: int = 1  # of the issue: what this delivery carries
    held_revision: int | None = None  # what the target holds in full (before a correction)
    form: str | None = None  # stepped down to this form (None: the variant itself)

    @property
    def unsent_parts(self) -> tuple[PartState, ...]:
        return tuple(p for p in self.parts if p.status not in (Status.SENT, Status.SKIPPED))


class Step(enum.StrEnum):
    """What happened to a part (or, for SKIPPED and RELEASE, to its whole delivery)."""

    IN_FLIGHT = "in_flight"  # the request holds its token and connection and is leaving
    RETRYING = "retrying"  # that attempt certainly did not arrive; another will be made
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # it left and no answer came: it may have arrived
    SKIPPED = "skipped"  # the target is gone: every unsent part of the delivery is skipped
    RELEASE = "release"  # the delivery is handed back unfinished (shutting down)


@dataclass(frozen=True, slots=True)
class PartStep:
    """One write the fan-out asks of the ledger. Steps are committed in groups
    (`Ledger.record_steps`); each one is fenced by the delivery's lease."""

    kind: Step
    delivery_id: int
    part_index: int = 0
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False  # FAILED: never retried by `retry`

    @classmethod
    def in_flight(cls, delivery_id: int, part_index: int) -> PartStep:
        return cls(Step.IN_FLIGHT, delivery_id, part_index)

    @classmethod
    def retrying(cls, delivery_id: int, part_index: int, error: str) -> PartStep:
        return cls(Step.RETRYING, delivery_id, part_index, error=error)

    @classmethod
    def sent(cls, delivery_id: int, part_index: int, message_id: str | None) -> PartStep:
        return cls(Step.SENT, delivery_id, part_index, message_id=message_id)

    @classmethod
    def failed(cls, delivery_id: int, part_index: int, error: str, *, permanent: bool) -> PartStep:
        return cls(Step.FAILED, delivery_id, part_index, error=error, permanent=permanent)

    @classmethod
    def uncertain(cls, delivery_id: int, part_index: int, error: str) -> PartStep:
        return cls(Step.UNCERTAIN, delivery_id, part_index, error=error)

    @classmethod
    def skipped(cls, delivery_id: int, reason: str) -> PartStep:
        return cls(Step.SKIPPED, delivery_id, error=reason)

    @classmethod
    def release(cls, delivery_id: int) -> PartStep:
        return cls(Step.RELEASE, delivery_id)


@dataclass(frozen=True, slots=True)
class LogRow:
    """One delivery as `digestbot log` shows it."""

    id: int
    issue_date: dt.date
    channel: Channel
    target: str
    variant: Variant
    status: Status
    parts_total: int
    parts_sent: int
    attempts: int
    last_error: str | None
    updated_at: dt.datetime
    revision: int = 1  # the issue revision this delivery carries
    held_revision: int | None = None  # the one its target holds in full
    form: str | None = None  # the smaller form it was stepped down to, if any


class Held(enum.StrEnum):
    """What a correction does for a target that holds an earlier revision."""

    EDIT = "edit"  # edit its messages in place (Telegram, Slack)
    NOTICE = "notice"  # send it one correction notice (email)
    KEEP = "keep"  # leave it alone (email with `corrections = "none"`)


# (target, variant, form) → how many parts the corrected digest has for that target, in the
# smaller form its delivery was stepped down to (None: the variant's own; `delivery.stepdown`).
PartsFor = Callable[[str, Variant, str | None], int]


@dataclass(frozen=True, slots=True)
class RevisionPlan:
    """What replanning deliveries for a new revision did (`store.revisions`)."""

    replanned: int  # deliveries moved to the revision (their parts now edit/send/delete)
    busy: frozenset[str] = frozenset()  # lease owners still sending an older revision


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    channel: Channel
    target: str
    variant: Variant
    active: bool
    display_name: str | None
    joined_at: dt.datetime
    left_at: dt.datetime | None
    left_reason: str | None


class IssueRetracted(Exception):
    """The day's issue was retracted: it cannot be published or corrected again."""

    def __init__(self, issue_date: dt.date, reason: str) -> None:
        super().__init__(f"the issue of {issue_date.isoformat()} was retracted ({reason})")
        self.issue_date = issue_date
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoredIssue:
    issue_date: dt.date
    filename: str
    data: bytes
    sha256: str  # of `data`, as stored: identifies the version without rehashing it
    published_at: dt.datetime  # when this revision was archived
    revision: int = 1


@dataclass(frozen=True, slots=True)
class ArchivedVersion:
    """What identifies an archived issue without its bytes: listings stay one small query."""

    issue_date: dt.date
    sha256: str
    published_at: dt.datetime
    revision: int = 1


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    revision: int
    filename: str
    sha256: str
    published_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """Everything the archive knows about one day, retracted or not, without the bytes."""

    issue_date: dt.date
    revision: int  # the current one
    revisions: tuple[RevisionInfo, ...]  # oldest first
    retracted_at: dt.datetime | None
    retraction_reason: str | None

    @property
    def retracted(self) -> bool:
        return self.retracted_at is not None

    @property
    def current(self) -> RevisionInfo:
        return next(r for r in self.revisions if r.revision == self.revision)


@dataclass(frozen=True, slots=True)
class SavedRevision:
    revision: int
    created: bool  # False: these bytes already were the current revision


__all__ = [
    "OVERALL_PRECEDENCE",
    "ArchivedVersion",
    "ClaimedDelivery",
    "Held",
    "IssueRecord",
    "IssueRetracted",
    "LogRow",
    "PartAction",
    "PartState",
    "PartStep",
    "PartsFor",
    "RevisionInfo",
    "RevisionPlan",
    "SavedRevision",
    "Status",
    "Step",
    "StoredIssue",
    "SubscriberRow",
]
