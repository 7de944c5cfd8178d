"""What the watcher calls once the day's issue is out: archive it, publish it on every enabled
channel through the process's shared senders, count it in /metrics, and say how it went.
In `digestbot run` the fan-out runs on the delivery loop (`service.delivery_thread`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, Protocol

from digestbot.bot.alerts import AdminAlerts
from digestbot.config import Config
from digestbot.delivery import PacedSender, PublishStore, load_revision, publish, report_text
from digestbot.model import Channel, Issue
from digestbot.notices import Notices
from digestbot.published import ArchivedIssues
from digestbot.rendering import Renderer
from digestbot.server import Metrics
from digestbot.service.delivery_thread import DeliveryThread, on_main
from digestbot.sources import FetchedIssue
from digestbot.store import Archive, OffLoopLedger, Status


class DailyStore(PublishStore, Archive, Protocol):
    """The day's publish: keep the issue that goes out, then deliver it."""


class PublishInterrupted(Exception):
    """SIGTERM arrived mid-publish: what was sent is recorded, the rest waits for a restart."""


class DailyPublish:
    def __init__(
        self,
        config: Config,
        store: DailyStore,
        *,
        renderer: Renderer,
        archive: ArchivedIssues,
        senders: Mapping[Channel, PacedSender[Any]],
        alerts: AdminAlerts,
        metrics: Metrics,
        stop: asyncio.Event,
        ledger: OffLoopLedger,
    ) -> None:
        self.config = config
        self.store = store
        self.ledger = ledger
        self.renderer = renderer
        self.archive = archive
        self.senders = senders
        self.alerts = alerts
        self.metrics = metrics
        self.stop = stop
        self.notices = Notices(config.bot.language)
        # (channel, reason) the admins were told about: every later poll that finds the
        # channel still down says nothing new, so they hear of it once.
        self._down_told: set[tuple[Channel, str]] = set()
        # Set by the service while it runs: publishes then fan out on that thread's loop.
        self.delivery: DeliveryThread | None = None

    async def channel_down(self, channel: Channel, error: str) -> None:
        if (channel, error) not in self._down_told:
            self._down_told.add((channel, error))
            await self.alerts.send(self.notices.channel_down(channel, error))

    async def publish(self, issue: Issue, fetched: FetchedIssue) -> str:
        """Publish (or finish publishing) the day's issue; returns the admins' report."""
        assert issue.date is not None
        saved = await self.ledger.call(
            self.store.save_issue, issue.date, fetched.filename, fetched.data
        )
        if not saved:
            # The source changed after a first publish: finish the version that went out.
            stored = await self.ledger.call(self.store.get_issue, issue.date)
            assert stored is not None
            await self.alerts.send(self.notices.changed(issue.date, fetched.origin))
            issue = self.archive.parse(stored)
        return await self._deliver(issue)

    async def correct(self, issue: Issue, fetched: FetchedIssue) -> str:
        """The day's source changed after it was published: archive the new bytes as the next
        revision and correct every reader; returns the admins' report."""
        assert issue.date is not None
        await self.ledger.call(self.store.add_revision, issue.date, fetched.filename, fetched.data)
        return await self._deliver(issue)

    async def published_version(self, day: dt.date) -> str | None:
        """The sha256 of the day's current revision, unless the day was retracted."""
        record = await self.ledger.call(self.store.issue_record, day)
        if record is None or record.retracted:
            return None
        return record.current.sha256

    async def _deliver(self, issue: Issue) -> str:
        assert issue.date is not None
        revision = await self.ledger.call(load_revision, self.store, issue.date, self.archive.parse)
        delivery = self.delivery
        if delivery is None:
            report = await publish(
                issue,
                self.config,
                self.store,
                self.renderer,
                stop=self.stop,
                senders=self.senders,
                ledger=self.ledger,
                alert=self.channel_down,
                revision=revision,
            )
        else:
            alert = on_main(self.channel_down)  # the admins' sender lives on this loop
            report = await delivery.run(
                lambda: publish(
                    issue,
                    self.config,
                    self.store,
                    self.renderer,
                    stop=self.stop,  # only read there (is_set), never awaited
                    senders=delivery.senders,
                    ledger=delivery.ledger,
                    alert=alert,
                    revision=revision,
                )
            )
        for channel, run in report.runs.items():
            for status, count in run.delivered.items():
                for _ in range(count):
                    self.metrics.record_delivery(channel, status.value)
        self.metrics.record_publish(time.time())
        text = report_text(report, self.notices)
        if self.stop.is_set():
            raise PublishInterrupted(text)
        return text

    async def already_published(self, day: dt.date) -> bool:
        record = await self.ledger.call(self.store.issue_record, day)
        if record is None:
            return False
        if record.retracted:
            return True  # taken back: it must not go out again, whatever the source holds
        summary = await self.ledger.call(self.store.summary, day)
        return not any(c[Status.PENDING] for c in summary.values())


__all__ = ["DailyPublish", "PublishInterrupted"]
