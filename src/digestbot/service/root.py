"""`digestbot run`: one asyncio process doing the day's job unattended.

- The poller (APScheduler) has the watcher look for the day's issue from `[schedule] time`
  (issue timezone) and publish it once it is out and valid; at the deadline it alerts the
  admins once.
- The Telegram bot answers /start, /today … over long polling.
- One HTTP server serves the Slack slash command, unsubscribe pages, the readers' web (issue
  pages, archive, Atom feed), /healthz and /metrics.
Everything that sends on one provider shares that provider's one `PacedSender` (client and
limits). SIGTERM/SIGINT: no new sends, requests already out finish, the rest stays pending for
the next start; nothing is marked sent that was not.

This module only builds the parts from the config and runs them together."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
from collections.abc import Callable
from typing import Any

from digestbot.bot import AdminAlerts, TelegramBot, publish_status
from digestbot.channels.telegram import TelegramChannel
from digestbot.checking import limits_from, preflight
from digestbot.config import Config, reveal
from digestbot.delivery import (
    LedgerBudgets,
    PacedSender,
    build_channel,
    build_sender,
    renderer_for,
    share_budgets,
)
from digestbot.model import Channel
from digestbot.parsing import ParseCache
from digestbot.published import ArchivedIssues
from digestbot.server import (
    Deadlines,
    Heartbeat,
    Metrics,
    PortUnavailable,
    bind,
    build_app,
    metrics_app,
    serve,
)
from digestbot.service.daily import DailyPublish
from digestbot.service.delivery_thread import DeliveryThread
from digestbot.service.leading import day_leader, remembered_notices
from digestbot.service.polling import Poller
from digestbot.service.signals import stop_on_signals
from digestbot.signup.wiring import signup_desk
from digestbot.sources import source_from_config
from digestbot.store import OffLoopLedger, Store
from digestbot.watcher import PublicationWatcher, Schedule
from digestbot.web import IssueCatalog, Site, SitePages

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 30.0  # seconds a running publish gets to finish its requests in flight


class Service:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.timezone = config.source.zone
        self.renderer = renderer_for(config)
        # The archive's issues parsed once per version, for /today and the web pages alike.
        self.parsed = ParseCache()
        self.issues = ArchivedIssues(store, self.timezone, self.parsed)
        self.metrics = Metrics()
        self.heartbeat = Heartbeat()  # beaten by the scheduler, reported by /healthz
        self.stop = asyncio.Event()
        # The store off the event loop for everything the service does in the background;
        # a database outage is waited out however long it lasts (`/healthz` says so).
        self.ledger = OffLoopLedger(store)
        # One sender per provider for the whole process: publish, replies and alerts share it.
        self.senders: dict[Channel, PacedSender[Any]] = {
            name: build_sender(config, name) for name in config.enabled_channels()
        }
        if store.budgets_shared:  # replicas on PostgreSQL: the bot's and chats' budgets
            share_budgets(config, self.senders, LedgerBudgets(self.ledger, store))
        self.bot = self._bot()
        self.alerts = self.bot.alerts if self.bot is not None else AdminAlerts(None, ())
        self.daily = DailyPublish(
            config,
            store,
            renderer=self.renderer,
            archive=self.issues,
            senders=self.senders,
            alerts=self.alerts,
            metrics=self.metrics,
            stop=self.stop,
            ledger=self.ledger,
        )
        schedule = config.schedule
        self.watcher = PublicationWatcher(
            Schedule(schedule.time, schedule.deadline, schedule.poll_every, self.timezone),
            source_from_config(config.source),
            check=lambda fetched, day: preflight(
                fetched.data, fetched.filename, limits=limits_from(config), expected_date=day
            ),
            publish=self.daily.publish,
            already_published=self.daily.already_published,
            alert=self.alerts.send,
            clock=lambda: dt.datetime.now(dt.UTC),
            notices=self.daily.notices,
            lead=day_leader(store, self.ledger),
            first_notice=remembered_notices(store, self.ledger),
            correct=self.daily.correct,
            published_version=self.daily.published_version,
        )
        self.poller = Poller(self.watcher, schedule, self.timezone, self.stop, self.heartbeat)

    def _bot(self) -> TelegramBot | None:
        """The bot runs when Telegram is live, on the same sender as the publish."""
        telegram = self.config.telegram
        sender = self.senders.get(Channel.TELEGRAM)
        if telegram is None or telegram.transport != "live" or sender is None:
            return None
        assert isinstance(sender.channel, TelegramChannel)
        return TelegramBot.from_config(
            telegram,
            store=self.store,
            renderer=self.renderer,
            issues=self.issues,
            sender=sender,
            status_text=self._status,
            today=self.issues.today,
        )

    async def _status(self) -> str:
        """/status in the admins' language."""
        today = self.issues.today()
        return await asyncio.to_thread(publish_status, self.store, today, self.daily.notices)

    async def run(self, on_ready: Callable[[str, int], None] | None = None) -> None:
        """Raises PortUnavailable, before anything has started, when a configured address
        cannot be listened on."""
        try:
            sockets = self._listen()
        except PortUnavailable:
            await self.watcher.source.aclose()
            await self.ledger.aclose()
            raise
        await self._run(sockets, on_ready)

    def _listen(self) -> tuple[socket.socket, socket.socket | None]:
        """Bind the HTTP port (and the metrics port) first: a taken one stops `run` with one
        line instead of leaving it running without its server."""
        server = self.config.server
        main = bind(server.host, server.port)
        if server.metrics_port is None:
            return main, None
        try:
            return main, bind(server.metrics_host, server.metrics_port, "server.metrics_port")
        except PortUnavailable:
            main.close()
            raise

    async def _run(
        self,
        sockets: tuple[socket.socket, socket.socket | None],
        on_ready: Callable[[str, int], None] | None,
    ) -> None:
        server, slack, email = self.config.server, self.config.slack, self.config.email
        metrics_token = reveal(server.metrics_token)
        deadlines = Deadlines(
            server.header_timeout.total_seconds(), server.body_timeout.total_seconds()
        )
        main_sock, metrics_sock = sockets
        pages = SitePages(self.config.templates.dir)
        signup = signup_desk(self.config, self.store, pages)
        app = build_app(
            store=self.store,
            renderer=self.renderer,
            issues=self.issues,
            slack_signing_secret=reveal(slack.signing_secret) if slack else None,
            slack_response_type=slack.slash_response if slack else "ephemeral",
            unsubscribe_secret=reveal(email.unsubscribe_secret) if email else None,
            metrics=self.metrics,
            today=self.issues.today,
            heartbeat=self.heartbeat,
            site=Site(
                IssueCatalog(self.store, self.parsed),
                pages,
                base_url=self.config.site.base_url or None,
                signup=signup is not None,
                zone=self.timezone,
            ),
            signup=signup,
            metrics_token=metrics_token,
            serve_metrics=metrics_sock is None,
        )
        with stop_on_signals(self.stop):
            listeners = [
                serve(
                    app,
                    server.host,
                    server.port,
                    self.stop,
                    on_ready=on_ready,
                    deadlines=deadlines,
                    sock=main_sock,
                )
            ]
            if metrics_sock is not None:
                listeners.append(
                    serve(
                        metrics_app(self.metrics, self.store, metrics_token),
                        server.metrics_host,
                        server.metrics_port or 0,
                        self.stop,
                        deadlines=deadlines,
                        sock=metrics_sock,
                    )
                )
            http = asyncio.gather(*listeners)
            bot_task = (
                asyncio.create_task(self.bot.application.start_when_reachable(self.stop))
                if self.bot is not None
                else None
            )
            # Publishes fan out on a loop of their own: what people wait for (the server, the
            # bot) stays on this one.
            delivery = None
            if self.config.delivery.own_loop:
                delivery = DeliveryThread(
                    self.store,
                    self.senders,
                    lambda name: build_channel(self.config, name),
                    outage=self.ledger.outage,
                )
                delivery.start()
                self.daily.delivery = delivery
            try:
                self.poller.start()
                log.info("digestbot running; polling %s", self.config.source.kind)
                await self.stop.wait()
            finally:
                await self.poller.shutdown(SHUTDOWN_GRACE)
                self.daily.delivery = None
                if delivery is not None:
                    await delivery.aclose()
                if bot_task is not None:
                    bot_task.cancel()
                    await asyncio.gather(bot_task, return_exceptions=True)
                if self.bot is not None:
                    await self.bot.stop()
                self.stop.set()
                with contextlib.suppress(Exception):
                    await http
                await self.watcher.source.aclose()
                await self.ledger.aclose()


__all__ = ["SHUTDOWN_GRACE", "Service"]
