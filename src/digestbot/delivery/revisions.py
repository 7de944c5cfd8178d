"""Which revision of an issue a publish delivers, and moving the ledger's older rows onto it.

Every publish (first send, `retry`, a correction) delivers the archive's current revision. A
correction is that same publish after the archive gained a revision: before the fan-out, the
deliveries that carry an older one are replanned (`store.RevisionPlanner`) - edits where the
target has the message, sends where it lacks one, deletions of surplus parts, one notice per
email reader - and the fan-out claims only rows of the current revision."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from digestbot.delivery.workers import owner_is_dead
from digestbot.model import Channel, Issue
from digestbot.store import Archive, Held, OffLoopLedger, PartsFor, RevisionPlanner, StoredIssue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Revision:
    """The revision being delivered, and the earlier ones parsed: an email reader's notice
    says what changed since the revision that reader holds."""

    number: int = 1
    earlier: Mapping[int, Issue] = field(default_factory=dict)

    @property
    def previous(self) -> Issue | None:
        return self.earlier.get(self.number - 1)


def load_revision(
    archive: Archive, day: dt.date, parse: Callable[[StoredIssue], Issue]
) -> Revision:
    """The day's current revision number and its earlier revisions, parsed with `parse`."""
    record = archive.issue_record(day)
    if record is None:
        return Revision()
    earlier: dict[int, Issue] = {}
    for info in record.revisions:
        if info.revision < record.revision:
            stored = archive.get_revision(day, info.revision)
            if stored is not None:
                earlier[info.revision] = parse(stored)
    return Revision(record.revision, earlier)


async def move_to_revision(
    ledger: OffLoopLedger,
    planner: RevisionPlanner,
    day: dt.date,
    channel: Channel,
    revision: int,
    parts_for: PartsFor,
    held: Held,
    *,
    owner: str,
    stop: asyncio.Event,
    poll_seconds: float = 1.0,
) -> int:
    """Replan every delivery of `channel` that carries an older revision; returns how many.
    Rows another worker is still sending wait for it (a dead worker's at once)."""
    moved = 0
    while True:
        plan = await ledger.call(planner.plan_revision, day, channel, revision, parts_for, held)
        moved += plan.replanned
        if not plan.busy or stop.is_set():
            if plan.busy:
                log.warning("%s: %d workers still send an older revision", channel, len(plan.busy))
            return moved
        for other in plan.busy:
            if owner_is_dead(other, owner):
                log.warning("%s: taking over the rows of dead worker %s", channel, other)
                await ledger.break_leases(other)
        await asyncio.sleep(poll_seconds)


__all__ = ["Revision", "load_revision", "move_to_revision"]
