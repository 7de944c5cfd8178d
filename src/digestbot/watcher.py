"""The daily decision, one poll at a time: is today's issue out, may it go, is it too late?

Everything time-related comes from an injected clock, so the schedule is tested by calling
`poll()` at chosen instants rather than by sleeping through real minutes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from digestbot.checking import Preflight, summary_lines
from digestbot.model import Issue
from digestbot.notices import Notices
from digestbot.sources.base import FetchedIssue, IssueSource, SourceError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    start: dt.time  # first look for the day's issue
    deadline: dt.time  # no issue by then: alert the admins once
    poll_every: dt.timedelta
    timezone: ZoneInfo


class Outcome(enum.StrEnum):
    TOO_EARLY = "too-early"
    ALREADY_DONE = "already-done"
    WAITING = "waiting"  # not out yet; polling goes on
    LATE_ALERTED = "late-alerted"  # the deadline passed; admins were told once
    REFUSED = "refused"  # out but malformed; admins told once per version of the file
    PUBLISHED = "published"
    PARTIAL = "partial"  # published, but some deliveries are pending (a provider is down)
    FOLLOWING = "following"  # another replica leads today's poll right now
    CORRECTED = "corrected"  # the source changed after publishing: readers were corrected


# The pre-flight check of a fetched issue for the day it is meant for (digestbot.checking).
CheckFn = Callable[[FetchedIssue, dt.date], Preflight]
# Publishes the issue (the fetched bytes are archived with it); returns the admins' report.
PublishFn = Callable[[Issue, FetchedIssue], Awaitable[str]]
DoneFn = Callable[[dt.date], Awaitable[bool]]
# The sha256 of the day's current published revision (None: nothing served that day).
VersionFn = Callable[[dt.date], Awaitable[str | None]]


class AlertFn(Protocol):
    """Tells the admins; `level` is how the line is logged (a success report is INFO)."""

    def __call__(self, text: str, *, level: int = logging.WARNING) -> Awaitable[object]: ...


Clock = Callable[[], dt.datetime]
# Held while this process leads the day's poll (True) or another replica does (False): one
# replica polls, publishes, alerts and reports; `digestbot run` takes a PostgreSQL advisory
# lock per issue date.
LeadFn = Callable[[dt.date], AbstractAsyncContextManager[bool]]
# Records that the notice `kind` about a day goes out; False when it went out before, from
# this process, an earlier start or another replica (`digestbot run`: in the database).
FirstNoticeFn = Callable[[dt.date, str], Awaitable[bool]]


@contextlib.asynccontextmanager
async def always_lead(day: dt.date) -> AsyncIterator[bool]:
    """One process alone: it always leads."""
    yield True


def notices_in_memory() -> FirstNoticeFn:
    """Notices remembered for this process's life only."""
    sent: set[tuple[dt.date, str]] = set()

    async def first(day: dt.date, kind: str) -> bool:
        if (day, kind) in sent:
            return False
        sent.add((day, kind))
        return True

    return first


class PublicationWatcher:
    def __init__(
        self,
        schedule: Schedule,
        source: IssueSource,
        *,
        check: CheckFn,
        publish: PublishFn,
        already_published: DoneFn,
        alert: AlertFn,
        clock: Clock,
        notices: Notices | None = None,
        lead: LeadFn = always_lead,
        first_notice: FirstNoticeFn | None = None,
        correct: PublishFn | None = None,
        published_version: VersionFn | None = None,
    ) -> None:
        self.schedule = schedule
        self.notices = notices or Notices()
        self.source = source
        self._check = check
        self._publish = publish
        self._already_published = already_published
        self._alert = alert
        self._clock = clock
        self._lead = lead
        self._first_notice = first_notice or notices_in_memory()
        # After publishing, each poll still fetches the day: new bytes are a correction.
        self._correct = correct
        self._published_version = published_version
        self._done: set[dt.date] = set()
        self._lock = asyncio.Lock()

    def today(self) -> dt.date:
        return self._local_now().date()

    def _local_now(self) -> dt.datetime:
        return self._clock().astimezone(self.schedule.timezone)

    async def poll(self) -> Outcome:
        """One look at the source. Safe to call at any time and as often as wanted: polls
        that overlap (a scheduled one and a catch-up) run one after the other."""
        async with self._lock:
            return await self._poll()

    async def _poll(self) -> Outcome:
        now = self._local_now()
        day = now.date()
        if now.time() < self.schedule.start:
            return Outcome.TOO_EARLY
        if day in self._done or await self._already_published(day):
            self._done.add(day)
            if self._correct is None or self._published_version is None:
                return Outcome.ALREADY_DONE
            async with self._lead(day) as leading:
                if not leading:
                    return Outcome.ALREADY_DONE
                return await self._look_for_correction(day)
        async with self._lead(day) as leading:
            if not leading:
                return Outcome.FOLLOWING
            return await self._look(day, now)

    async def _look(self, day: dt.date, now: dt.datetime) -> Outcome:
        try:
            fetched = await self.source.fetch(day)
        except SourceError as exc:
            log.warning("source unavailable for %s: %s", day, exc)
            return await self._maybe_late(day, now, self.notices.source_down(exc))
        if fetched is None:
            return await self._maybe_late(day, now, self.notices.not_out())
        return await self._consider(day, fetched)

    async def _refused(self, day: dt.date, fetched: FetchedIssue, verdict: Preflight) -> bool:
        """Whether the check refuses this version; the admins hear of each version once."""
        if verdict.issue is not None and not verdict.errors:
            return False
        version = hashlib.sha256(fetched.data).hexdigest()
        if await self._first_notice(day, f"refused:{version[:32]}"):
            details = "\n".join(summary_lines(verdict.findings))
            await self._alert(self.notices.refused(day, fetched.origin, details))
        return True

    async def _consider(self, day: dt.date, fetched: FetchedIssue) -> Outcome:
        verdict = self._check(fetched, day)
        if await self._refused(day, fetched, verdict) or verdict.issue is None:
            return Outcome.REFUSED
        report = await self._publish(verdict.issue, fetched)
        if verdict.warnings:  # the editors' to-do list rides along with the report
            lines = summary_lines(verdict.warnings)
            report += f"\n{self.notices.warnings(len(verdict.warnings))}\n" + "\n".join(lines)
        if await self._already_published(day):
            self._done.add(day)
            if await self._first_notice(day, "published"):
                await self._alert(self.notices.published(day, report), level=logging.INFO)
            return Outcome.PUBLISHED
        # Something is left (a provider was down): later polls resume it; tell admins once.
        if await self._first_notice(day, "partial"):
            await self._alert(self.notices.partial(day, report))
        return Outcome.PARTIAL

    async def _look_for_correction(self, day: dt.date) -> Outcome:
        """The day is published: has its source changed since? (A new file in the folder, a
        new ETag at the URL, an updated feed entry: all of them are new bytes.)"""
        assert self._correct is not None and self._published_version is not None
        try:
            fetched = await self.source.fetch(day)
        except SourceError as exc:
            log.info("source unavailable for %s (already published): %s", day, exc)
            return Outcome.ALREADY_DONE
        if fetched is None:
            return Outcome.ALREADY_DONE
        published = await self._published_version(day)
        version = hashlib.sha256(fetched.data).hexdigest()
        if published is None or version == published:
            return Outcome.ALREADY_DONE
        verdict = self._check(fetched, day)
        if await self._refused(day, fetched, verdict) or verdict.issue is None:
            return Outcome.REFUSED
        report = await self._correct(verdict.issue, fetched)
        if await self._already_published(day):
            if await self._first_notice(day, f"corrected:{version[:32]}"):
                await self._alert(self.notices.published(day, report), level=logging.INFO)
            return Outcome.CORRECTED
        # A provider was down: later polls finish the correction like any unfinished publish.
        self._done.discard(day)
        if await self._first_notice(day, f"partial:{version[:32]}"):
            await self._alert(self.notices.partial(day, report))
        return Outcome.PARTIAL

    async def _maybe_late(self, day: dt.date, now: dt.datetime, why: str) -> Outcome:
        if now.time() < self.schedule.deadline:
            return Outcome.WAITING
        if await self._first_notice(day, "late"):
            schedule = self.schedule
            await self._alert(
                self.notices.late(day, why, schedule.deadline, schedule.timezone.key)
            )
            return Outcome.LATE_ALERTED
        return Outcome.WAITING


__all__ = [
    "FirstNoticeFn",
    "LeadFn",
    "Outcome",
    "PublicationWatcher",
    "Schedule",
    "always_lead",
    "notices_in_memory",
]
