"""How the replicas of `digestbot run` on one database share the day's job: one leads each
day's poll (an advisory lock per issue date), and every admin notice about a day is recorded
in the database before it goes out, so a restart or another replica never sends it again."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Protocol

from digestbot.store import Leadership, NoticeLog, OffLoopLedger
from digestbot.watcher import FirstNoticeFn, LeadFn


class ReplicaStore(Leadership, NoticeLog, Protocol):
    """What the replicas coordinate through."""


def day_leader(store: ReplicaStore, ledger: OffLoopLedger) -> LeadFn:
    @contextlib.asynccontextmanager
    async def lead(day: dt.date) -> AsyncIterator[bool]:
        name = f"schedule:{day.isoformat()}"
        leading = await ledger.call(store.try_lead, name)
        try:
            yield leading
        finally:
            if leading:
                await ledger.call(store.resign, name)

    return lead


def remembered_notices(store: ReplicaStore, ledger: OffLoopLedger) -> FirstNoticeFn:
    async def first(day: dt.date, kind: str) -> bool:
        return await ledger.call(store.first_notice, day, kind)

    return first


__all__ = ["ReplicaStore", "day_leader", "remembered_notices"]
