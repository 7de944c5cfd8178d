"""What the store hands back: plain frozen values, never live ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digestbot.model import Channel, Variant
from digestbot.store.types import Status


@dataclass(frozen=True, slots=True)
class PartState:
    index: int
    status: Status
    attempts: int
    provider_message_id: str | None  # Slack threads later parts under part 0's id
    last_error: str | None


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

    @property
    def unsent_parts(self) -> tuple[PartState, ...]:
        return tuple(p for p in self.parts if p.status not in (Status.SENT, Status.SKIPPED))


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


__all__ = ["ClaimedDelivery", "LogRow", "PartState", "SubscriberRow"]
