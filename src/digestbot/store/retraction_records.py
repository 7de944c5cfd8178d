"""What the store hands back about retractions: plain frozen values, no database code (like
`store.records`, of which these are the retraction's half)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from digestbot.model import Channel

# Why a part that was never sent stays unsent: its issue was taken back.
RETRACTED = "issue retracted"


class Undo(enum.StrEnum):
    """Where taking back one message (a part) or one delivery (all its parts) stands."""

    PENDING = "pending"  # still to do
    DELETED = "deleted"  # the message is gone (deleted now, or already gone)
    NOTIFIED = "notified"  # email: the reader got the retraction notice
    NOT_DELETABLE = "not_deletable"  # the provider refuses (Telegram after 48 h): it stays
    FAILED = "failed"  # gave up; `permanent` says whether a rerun tries again
    UNCERTAIN = "uncertain"  # a notice left and no answer came: never resent
    NOTHING = "nothing"  # the delivery had sent nothing: nothing to take back


# A delivery's state from its parts: the first one any part has wins.
UNDO_PRECEDENCE: tuple[Undo, ...] = (
    Undo.PENDING,
    Undo.UNCERTAIN,
    Undo.FAILED,
    Undo.NOT_DELETABLE,
    Undo.NOTIFIED,
    Undo.DELETED,
)
UNDO_DONE = frozenset({Undo.DELETED, Undo.NOTIFIED, Undo.NOTHING})


def overall_undo(parts: list[Undo]) -> Undo:
    if not parts:
        return Undo.NOTHING
    return next(state for state in UNDO_PRECEDENCE if state in parts)


@dataclass(frozen=True, slots=True)
class UndoPart:
    index: int
    message_id: str | None  # None: the email notice (nothing to delete)
    attempts: int

    @property
    def is_notice(self) -> bool:
        return self.message_id is None


@dataclass(frozen=True, slots=True)
class ClaimedRetraction:
    """One delivery's retraction leased to one worker: do `parts` (all still pending), in
    order, then it is done."""

    id: int  # the delivery's id
    issue_date: dt.date
    channel: Channel
    target: str
    parts: tuple[UndoPart, ...]
    lease_owner: str
    lease_expires_at: dt.datetime


class UndoStepKind(enum.StrEnum):
    IN_FLIGHT = "in_flight"
    RETRYING = "retrying"
    DONE = "done"  # to `state`: DELETED, NOTIFIED, NOT_DELETABLE, FAILED or UNCERTAIN


@dataclass(frozen=True, slots=True)
class UndoStep:
    """One write the retraction asks of the ledger, fenced by the retraction's lease."""

    kind: UndoStepKind
    delivery_id: int
    part_index: int
    state: Undo | None = None
    error: str | None = None
    permanent: bool = False

    @classmethod
    def in_flight(cls, delivery_id: int, part_index: int) -> UndoStep:
        return cls(UndoStepKind.IN_FLIGHT, delivery_id, part_index)

    @classmethod
    def retrying(cls, delivery_id: int, part_index: int, error: str) -> UndoStep:
        return cls(UndoStepKind.RETRYING, delivery_id, part_index, error=error)

    @classmethod
    def done(
        cls,
        delivery_id: int,
        part_index: int,
        state: Undo,
        error: str | None = None,
        *,
        permanent: bool = False,
    ) -> UndoStep:
        return cls(UndoStepKind.DONE, delivery_id, part_index, state, error, permanent)


@dataclass(frozen=True, slots=True)
class RetractionRow:
    """One delivery's retraction as `digestbot log` shows it."""

    channel: Channel
    target: str
    state: Undo
    parts: int  # requests owed: messages to delete, or the one notice
    done: int  # of which deleted / notified
    not_deletable: int
    last_error: str | None


__all__ = [
    "RETRACTED",
    "UNDO_DONE",
    "UNDO_PRECEDENCE",
    "ClaimedRetraction",
    "RetractionRow",
    "Undo",
    "UndoPart",
    "UndoStep",
    "UndoStepKind",
    "overall_undo",
]
