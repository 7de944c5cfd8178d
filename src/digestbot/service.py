"""`digestbot run`: one asyncio process doing the day's job unattended.

- APScheduler polls the source from `[schedule] time` (issue timezone) and publishes the day's
  issue once it is out and valid; at the deadline it alerts the admins once.
- The Telegram bot answers /start, /today … over long polling.
- One HTTP server serves the Slack slash command, unsubscribe pages, the readers' web (issue
  pages, archive, Atom feed), /healthz and /metrics.
SIGTERM/SIGINT: no new sends, requests already out finish, the rest stays pending for the next
start; nothing is marked sent that was not."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digestbot.bot import CurrentIssue
from digestbot.bot.telegram_bot import TelegramBot
from digestbot.channels.errors import ChannelError, PermanentError
from digestbot.config import Config, reveal
from digestbot.delivery import PublishReport, pacing_for, publish
from digestbot.model import Issue
from digestbot.parsing import parse_issue
from digestbot.ratelimit import MultiLimiter
from digestbot.rendering import Renderer
from digestbot.server import Metrics, build_app, serve
from digestbot.sources import FetchedIssue, source_from_config
from digestbot.store import Status, Store, StoredIssue
from digestbot.watcher import PublicationWatcher, Schedule
from digestbot.web import IssueCatalog, Site, SitePages

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 30.0  # seconds a running publish gets to finish its requests in flight
BOT_RETRY_FIRST, BOT_RETRY_CAP = 5.0, 300.0  # seconds between tries to reach Telegram


class PublishInterrupted(Exception):
    """SIGTERM arrived mid-publish: what was sent is recorded, the rest waits for a restart."""


class ArchivedIssues:
    """`/today` answers from what was published: today's issue, else the latest one."""

    def __init__(self, store: Store, timezone: ZoneInfo) -> None:
        self.store = store
        self.timezone = timezone
        self._parsed: dict[tuple[dt.date, str], Issue] = {}

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()

    async def current(self) -> CurrentIssue | None:
        today = self.today()
        stored = self.store.get_issue(today) or self.store.latest_issue(on_or_before=today)
        if stored is None:
            return None
        return CurrentIssue(self.parse(stored), is_today=stored.issue_date == today)

    def parse(self, stored: StoredIssue) -> Issue:
        key = (stored.issue_date, stored.sha256)
        issue = self._parsed.get(key)
        if issue is None:
            issue = parse_issue(stored.data, filename=stored.filename)
            self._parsed = {key: issue}  # one entry: today's issue is what is asked for
        return issue


def report_text(report: PublishReport) -> str:
    """The admins' per-channel summary after a publish."""
    lines = []
    for channel, counts in report.ledger.items():
        run = report.runs.get(channel)
        took = f", {run.seconds:.0f}s" if run else ""
        lines.append(
            f"{channel}: sent {counts[Status.SENT]}, failed {counts[Status.FAILED]}, "
            f"blocked/skipped {counts[Status.SKIPPED]}, uncertain {counts[Status.UNCERTAIN]}, "
            f"pending {counts[Status.PENDING]}{took}"
        )
        if run and run.error:
            lines.append(f"  {channel} unavailable: {run.error}")
    return "\n".join(lines) or "no channels enabled"


class Service:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.timezone = config.source.zone
        self.renderer = Renderer(config.templates.dir)
        self.issues = ArchivedIssues(store, self.timezone)
        self.metrics = Metrics()
        self.stop = asyncio.Event()
        self.limiters: dict[str, MultiLimiter] = {}
        self.bot: TelegramBot | None = None
        self._polls: set[asyncio.Task[object]] = set()  # awaited at shutdown
        telegram = config.telegram
        if telegram is not None and telegram.enabled and telegram.transport == "live":
            self.limiters["telegram"] = MultiLimiter(pacing_for(config, "telegram").limit)
            self.bot = TelegramBot.from_config(
                telegram,
                store=store,
                renderer=self.renderer,
                issues=self.issues,
                status_text=self.status_text,
                today=self.issues.today,
                limiter=self.limiters["telegram"],
            )
        schedule = config.schedule
        self.watcher = PublicationWatcher(
            Schedule(schedule.time, schedule.deadline, schedule.poll_every, self.timezone),
            source_from_config(config.source),
            parse=lambda fetched: parse_issue(fetched.data, filename=fetched.filename),
            publish=self.publish,
            already_published=self.already_published,
            alert=self.alert,
            clock=lambda: dt.datetime.now(dt.UTC),
        )

    # --- what the watcher calls -------------------------------------------------------

    async def publish(self, issue: Issue, fetched: FetchedIssue) -> str:
        assert issue.date is not None
        if not self.store.save_issue(issue.date, fetched.filename, fetched.data):
            # The source changed after a first publish: finish the version that went out.
            stored = self.store.get_issue(issue.date)
            assert stored is not None
            await self.alert(
                f"⚠️ {issue.date.isoformat()}: {fetched.origin} changed after it was first "
                "published; finishing the first version (use `digestbot publish --replace`)."
            )
            issue = self.issues.parse(stored)
        report = await publish(
            issue,
            self.config,
            self.store,
            self.renderer,
            stop=self.stop,
            limiters=self.limiters,
        )
        for channel, run in report.runs.items():
            for status, count in run.delivered.items():
                for _ in range(count):
                    self.metrics.record_delivery(channel, status.value)
        self.metrics.record_publish(time.time())
        if self.stop.is_set():
            raise PublishInterrupted(report_text(report))
        return report_text(report)

    async def already_published(self, day: dt.date) -> bool:
        if self.store.get_issue(day) is None:
            return False
        return not any(c[Status.PENDING] for c in self.store.summary(day).values())

    async def alert(self, text: str) -> None:
        log.warning("admin alert: %s", text)
        if self.bot is not None:
            await self.bot.send_admin_alert(text)

    async def status_text(self) -> str:
        latest = self.store.latest_issue()
        if latest is None:
            return "no issue published yet"
        summary = self.store.summary(latest.issue_date)
        report = PublishReport(latest.issue_date, ledger=dict(summary))
        return f"{latest.issue_date.isoformat()}\n{report_text(report)}"

    # --- running ------------------------------------------------------------------------

    async def poll(self) -> None:
        """The scheduled job: one watcher poll in a task of our own, shielded, because
        APScheduler cancels running jobs at shutdown and a publish must finish its requests
        in flight instead (`stop` keeps it from starting new ones)."""
        if self.stop.is_set():
            return
        task = asyncio.create_task(self._poll_once())
        self._polls.add(task)
        task.add_done_callback(self._polls.discard)
        await asyncio.shield(task)

    async def _poll_once(self) -> None:
        try:
            outcome = await self.watcher.poll()
            log.info("poll: %s", outcome.value)
        except PublishInterrupted as exc:
            log.warning("publish interrupted by shutdown; the rest resumes at restart:\n%s", exc)
        except Exception:  # a bad poll must not kill the schedule; the next one tries again
            log.exception("poll failed")

    async def _start_bot(self) -> None:
        """Telegram being unreachable at start must not keep the schedule, Slack and email
        from running: retry with backoff; a rejected token is reported once and left off."""
        assert self.bot is not None
        delay = BOT_RETRY_FIRST
        while not self.stop.is_set():
            try:
                await self.bot.start()
                return
            except PermanentError as exc:
                log.error("telegram bot not started (%s): /today and admin alerts are off", exc)
                return
            except ChannelError as exc:
                log.warning("telegram bot unavailable (%s); retrying in %.0f s", exc, delay)
                await self.bot.stop()  # tear down a half-started bot before the next try
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            delay = min(delay * 2, BOT_RETRY_CAP)

    def scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=self.timezone)
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        start = self.config.schedule.time
        # A poll right away catches up when started after `time`; then every poll_every.
        scheduler.add_job(
            self.poll,
            IntervalTrigger(
                seconds=self.config.schedule.poll_every.total_seconds(), timezone=self.timezone
            ),
            next_run_time=dt.datetime.now(self.timezone),
            id="poll",
            **common,
        )
        scheduler.add_job(
            self.poll,
            CronTrigger(hour=start.hour, minute=start.minute, timezone=self.timezone),
            id="start-of-window",
            **common,
        )
        return scheduler

    async def run(self, on_ready: Callable[[str, int], None] | None = None) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        server, slack, email = self.config.server, self.config.slack, self.config.email
        app = build_app(
            store=self.store,
            renderer=self.renderer,
            issues=self.issues,
            slack_signing_secret=reveal(slack.signing_secret) if slack else None,
            slack_response_type=slack.slash_response if slack else "ephemeral",
            unsubscribe_secret=reveal(email.unsubscribe_secret) if email else None,
            metrics=self.metrics,
            today=self.issues.today,
            site=Site(
                IssueCatalog(self.store),
                SitePages(self.config.templates.dir),
                base_url=self.config.site.base_url or None,
                signup=False,
                zone=self.timezone,
            ),
        )
        scheduler = self.scheduler()
        http = asyncio.create_task(
            serve(app, server.host, server.port, self.stop, on_ready=on_ready)
        )
        bot_task = asyncio.create_task(self._start_bot()) if self.bot is not None else None
        try:
            scheduler.start()
            log.info("digestbot running; polling %s", self.config.source.kind)
            await self.stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            if self._polls:  # a publish saw `stop`: let its requests in flight land
                await asyncio.wait(self._polls, timeout=SHUTDOWN_GRACE)
            if bot_task is not None:
                bot_task.cancel()
                await asyncio.gather(bot_task, return_exceptions=True)
            if self.bot is not None:
                await self.bot.stop()
            self.stop.set()
            with contextlib.suppress(Exception):
                await http
            await self.watcher.source.aclose()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)


__all__ = ["ArchivedIssues", "PublishInterrupted", "Service", "report_text"]
