"""When the watcher looks for the day's issue: APScheduler jobs in the issue timezone, a poll
right away (catching up when started after `[schedule] time`), then every `poll_every`, plus
one at the start of the window. A heartbeat job of its own tells `/healthz` the scheduler is
alive (a poll that publishes for an hour blocks the poll jobs, not the heartbeat).

Each poll runs in a task of our own, shielded, because APScheduler cancels running jobs at
shutdown and a publish must finish its requests in flight instead (`stop` keeps it from
starting new ones); `shutdown()` waits for them."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digestbot.config import ScheduleConfig
from digestbot.server import Heartbeat
from digestbot.service.daily import PublishInterrupted
from digestbot.watcher import PublicationWatcher

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        watcher: PublicationWatcher,
        schedule: ScheduleConfig,
        timezone: ZoneInfo,
        stop: asyncio.Event,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.watcher = watcher
        self.heartbeat = heartbeat
        self.schedule = schedule
        self.timezone = timezone
        self.stop = stop
        self._polls: set[asyncio.Task[None]] = set()
        self._scheduler: AsyncIOScheduler | None = None

    async def poll(self, job: str = "poll") -> None:
        """The scheduled job: one watcher poll, shielded from APScheduler's cancellation.
        Its log line (one per run; APScheduler's own are off) names the job that ran it."""
        if self.stop.is_set():
            return
        task = asyncio.create_task(self._poll_once(job))
        self._polls.add(task)
        task.add_done_callback(self._polls.discard)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not self.stop.is_set():
                raise
            # APScheduler cancels its running jobs at shutdown and logs the cancellation as
            # the job's failure, with a traceback; the poll itself goes on and `shutdown()`
            # waits for it.

    async def _poll_once(self, job: str) -> None:
        try:
            outcome = await self.watcher.poll()
            log.info("%s: %s", job, outcome.value)
        except PublishInterrupted as exc:
            log.warning("publish interrupted by shutdown; the rest resumes at restart:\n%s", exc)
        except Exception:  # a bad poll must not kill the schedule; the next one tries again
            log.exception("poll failed")

    def scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=self.timezone)
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        start = self.schedule.time
        every = f"poll every {self.schedule.poll_every}"
        scheduler.add_job(
            self.poll,
            IntervalTrigger(
                seconds=self.schedule.poll_every.total_seconds(), timezone=self.timezone
            ),
            args=[every],
            next_run_time=dt.datetime.now(self.timezone),
            id="poll",
            name=every,
            **common,
        )
        window = f"poll at {start.strftime('%H:%M')}"
        scheduler.add_job(
            self.poll,
            CronTrigger(hour=start.hour, minute=start.minute, timezone=self.timezone),
            args=[window],
            id="start-of-window",
            name=window,
            **common,
        )
        if self.heartbeat is not None:
            scheduler.add_job(
                self.heartbeat.beat,
                IntervalTrigger(seconds=self.heartbeat.every, timezone=self.timezone),
                next_run_time=dt.datetime.now(self.timezone),
                id="heartbeat",
                **common,
            )
        return scheduler

    def start(self) -> None:
        self._scheduler = self.scheduler()
        self._scheduler.start()

    async def shutdown(self, grace: float) -> None:
        """No new polls; a publish that saw `stop` gets `grace` seconds to land its requests
        in flight."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._polls:
            await asyncio.wait(self._polls, timeout=grace)


__all__ = ["Poller"]
