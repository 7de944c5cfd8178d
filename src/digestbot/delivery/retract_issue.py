"""retract(day, reason): stop serving the issue, then take back what went out on every channel
(`delivery.retraction`), and say what could not be taken back. Re-running it does only what is
left, so after a crash or a provider outage the same command finishes the job."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from digestbot.config import Config
from digestbot.delivery.paced import PacedSender
from digestbot.delivery.retraction import RetractionRun, Retractor
from digestbot.delivery.undo_ledger import UndoQueue
from digestbot.delivery.wiring import build_sender, delivery_settings
from digestbot.delivery.workers import worker_id
from digestbot.model import Channel, Issue
from digestbot.notices import Notices
from digestbot.rendering import Renderer
from digestbot.store import Archive, OffLoopLedger, RetractionRow, Retractions, Undo
from digestbot.store.offloop import LedgerStore
from digestbot.store.retraction_records import UNDO_DONE


class RetractStore(LedgerStore, Archive, Retractions, Protocol):
    """What a retraction asks of the store: the archive, its own work queue, and the reads
    and moves the off-loop ledger wraps."""


@dataclass
class RetractionReport:
    issue_date: dt.date
    reason: str  # as recorded by the first retraction of the day
    first: bool = True  # this run retracted the issue (False: a rerun)
    runs: dict[Channel, RetractionRun] = field(default_factory=dict)
    deliveries: dict[Channel, Counter[Undo]] = field(default_factory=dict)  # by their state
    requests: dict[Channel, Counter[Undo]] = field(default_factory=dict)  # messages, notices
    not_deletable: list[RetractionRow] = field(default_factory=list)
    not_enabled: list[Channel] = field(default_factory=list)  # deliveries on channels now off

    @property
    def unfinished(self) -> int:
        """Deliveries whose messages are not all gone (or whose reader was not told)."""
        return sum(
            n
            for counts in self.deliveries.values()
            for state, n in counts.items()
            if state not in UNDO_DONE
        )

    @property
    def news(self) -> bool:
        """Whether the admins have something new to hear: the retraction itself, or a rerun
        that made requests."""
        return self.first or any(sum(run.requests.values()) for run in self.runs.values())

    def kept(self) -> dict[str, list[str]]:
        kept: dict[str, list[str]] = {}
        for row in self.not_deletable:
            kept.setdefault(row.channel.value, []).append(row.target)
        return kept

    def counts(self) -> dict[str, dict[str, int]]:
        """Per channel: requests by outcome (messages deleted, refused, notices sent, …)."""
        return {
            channel.value: {
                "deleted": counts[Undo.DELETED],
                "not_deletable": counts[Undo.NOT_DELETABLE],
                "notified": counts[Undo.NOTIFIED],
                "failed": counts[Undo.FAILED],
                "uncertain": counts[Undo.UNCERTAIN],
                "pending": counts[Undo.PENDING],
            }
            for channel, counts in self.requests.items()
        }

    def to_json(self) -> dict[str, object]:
        channels: dict[str, object] = {}
        for name, counts in self.counts().items():
            run = self.runs.get(Channel(name))
            channels[name] = {
                **counts,
                "rate_limited": run.rate_limited if run else 0,
                "seconds": round(run.seconds, 3) if run else 0.0,
                "error": run.error if run else None,
            }
        return {
            "issue_date": self.issue_date.isoformat(),
            "reason": self.reason,
            "unfinished": self.unfinished,
            "channels": channels,
            "not_deletable": [
                {"channel": r.channel.value, "target": r.target, "error": r.last_error}
                for r in self.not_deletable
            ],
            "not_enabled": [c.value for c in self.not_enabled],
        }

    def admin_text(self, notices: Notices | None = None) -> str:
        return (notices or Notices()).retracted(
            self.issue_date, self.reason, self.counts(), self.kept()
        )


async def retract(
    issue: Issue,
    reason: str,
    config: Config,
    store: RetractStore,
    renderer: Renderer,
    *,
    senders: Mapping[Channel, PacedSender[Any]] | None = None,
    stop: asyncio.Event | None = None,
) -> RetractionReport:
    """Retract the day of `issue` (the revision its readers got, for the email notice): no
    longer served from now on, its messages deleted where the providers allow, its email
    readers told once. LookupError when nothing was published that day. Raises
    StoreUnavailable when the database stays away too long."""
    assert issue.date is not None
    ledger = OffLoopLedger(store, patience=config.store.outage_patience)
    try:
        return await _retract(issue, reason, config, store, ledger, renderer, senders, stop)
    finally:
        await ledger.aclose()


async def _retract(
    issue: Issue,
    reason: str,
    config: Config,
    store: RetractStore,
    ledger: OffLoopLedger,
    renderer: Renderer,
    senders: Mapping[Channel, PacedSender[Any]] | None,
    stop: asyncio.Event | None,
) -> RetractionReport:
    issue_date = issue.date
    assert issue_date is not None
    enabled = config.enabled_channels()
    record = await ledger.call(store.issue_record, issue_date)
    kept_reason = (record.retraction_reason if record else None) or reason
    # Rendered before anything changes: a template error stops the command with nothing done.
    notice = renderer.retraction_notice(issue, kept_reason) if Channel.EMAIL in enabled else None
    # LookupError when nothing was published that day; False when retracted before.
    first = await ledger.call(store.retract_issue, issue_date, reason)
    await ledger.call(store.plan_retraction, issue_date)
    planned = await ledger.call(store.retraction_summary, issue_date)
    # Only channels with something left to do are opened: a rerun after a complete
    # retraction makes no request at all.
    names = [c for c in enabled if planned.get(c, Counter())[Undo.PENDING]]
    retractor = Retractor(
        UndoQueue(ledger, store), delivery_settings(config), owner=worker_id(), stop=stop
    )
    given = senders or {}
    runs = await _each_channel(
        retractor.run(
            issue_date,
            name,
            given.get(name) or build_sender(config, name),
            notice if name is Channel.EMAIL else None,
        )
        for name in names
    )
    report = RetractionReport(
        issue_date, kept_reason, first=first, runs={run.channel: run for run in runs}
    )
    report.deliveries = await ledger.call(store.retraction_summary, issue_date)
    report.requests = await ledger.call(store.retraction_requests, issue_date)
    for name in enabled:
        if name in planned:
            report.requests.setdefault(name, Counter())
    report.not_deletable = await ledger.call(
        store.retraction_log, issue_date, Undo.NOT_DELETABLE
    )
    report.not_enabled = [c for c in planned if c not in enabled]
    return report


async def _each_channel(
    runs: Iterable[Coroutine[Any, Any, RetractionRun]],
) -> list[RetractionRun]:
    """Every channel at once; should one fail (the store stayed away), the others are
    cancelled and awaited, and that error is raised as it is."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run) for run in runs]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


__all__ = ["RetractStore", "RetractionReport", "retract"]
