"""The bot's PTB Application: long polling for updates, handed to the handlers.

It runs inside our own asyncio loop next to the scheduler and the web server (`start()` /
`stop()`, never `run_polling()`, which would own the loop), on the Telegram channel's own Bot:
one client for polling and for everything the bot sends. Nothing here sends messages; the
handlers answer through the shared sender."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import telegram.error as tg_error
from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from digestbot.bot import texts
from digestbot.bot.replies import Ctx
from digestbot.channels.errors import ChannelError, PermanentError
from digestbot.channels.telegram import TelegramChannel, map_telegram_error
from digestbot.delivery import PacedSender

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
RETRY_FIRST, RETRY_CAP = 5.0, 300.0  # seconds between tries to reach Telegram at start


class TelegramApp:
    def __init__(
        self,
        sender: PacedSender[TelegramChannel],
        handlers: Sequence[BaseHandler[Update, Ctx, Any]],
        *,
        poll_timeout: float = 10.0,
    ) -> None:
        self.sender = sender
        self._poll_timeout = poll_timeout
        self._holding_sender = False
        self._running = False
        self.app = self._build(handlers)

    def _build(
        self, handlers: Sequence[BaseHandler[Update, Ctx, Any]]
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        app = (
            ApplicationBuilder()
            .bot(self.sender.channel.bot)
            .job_queue(None)  # APScheduler is ours; PTB must not start a second scheduler
            # One slow reply (a paced multi-part /today) must not hold up everyone else.
            .concurrent_updates(64)
            .build()
        )
        app.add_handlers(list(handlers))
        app.add_error_handler(_on_error)
        return app

    async def start(self) -> None:
        """Check the token (getMe, unless the channel is already open), publish the command
        menu, start long polling. Raises the mapped ChannelError when Telegram refuses."""
        if self._running:
            return
        if not self._holding_sender:
            await self.sender.open()
            self._holding_sender = True
        await self.set_commands()
        updater = self.app.updater
        assert updater is not None
        try:
            await self.app.initialize()
            await self.app.start()
            # Starting to poll asks Telegram first (deleteWebhook): an outage here is the
            # same outage as at getMe, retried the same way.
            await updater.start_polling(
                timeout=dt.timedelta(seconds=self._poll_timeout),
                allowed_updates=ALLOWED_UPDATES,
                error_callback=_on_polling_error,
            )
        except tg_error.TelegramError as exc:
            raise map_telegram_error(exc) from exc
        self._running = True
        log.info("telegram bot @%s polling", self.app.bot.username)

    async def start_when_reachable(self, stop: asyncio.Event) -> None:
        """`start()`, retried with backoff while Telegram is unreachable, so an outage at start
        does not keep the schedule, Slack and email from running; a rejected token is reported
        once and the bot left off."""
        delay = RETRY_FIRST
        while not stop.is_set():
            try:
                await self.start()
                return
            except PermanentError as exc:
                log.error("telegram bot not started (%s): /today and admin alerts are off", exc)
                return
            except ChannelError as exc:
                log.warning("telegram bot unavailable (%s); retrying in %.0f s", exc, delay)
                await self.stop()  # tear down a half-started bot before the next try
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, RETRY_CAP)

    async def stop(self) -> None:
        """Stop polling (confirming fetched updates), finish running handlers, and let go of
        the channel (closed when nothing else is using it)."""
        # Checked piece by piece, so a start() that failed half-way is still torn down.
        self._running = False
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()  # the lent Bot ignores this; the sender closes it
        if self._holding_sender:
            self._holding_sender = False
            await self.sender.close()

    async def set_commands(self) -> None:
        """setMyCommands with the menu from `texts.COMMANDS` (a failure only costs the menu)."""
        try:
            await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
        except tg_error.TelegramError as exc:
            log.warning("telegram setMyCommands failed: %s", map_telegram_error(exc))


async def _on_error(update: object, context: Ctx) -> None:
    error = context.error
    log.error(
        "telegram handler failed: %s: %s",
        type(error).__name__,
        error,
        exc_info=error if not isinstance(error, tg_error.TelegramError) else None,
    )


def _on_polling_error(error: tg_error.TelegramError) -> None:
    # PTB retries getUpdates itself; one short line per failure instead of a traceback.
    log.warning("telegram getUpdates failed: %s", map_telegram_error(error))


__all__ = ["ALLOWED_UPDATES", "RETRY_CAP", "RETRY_FIRST", "TelegramApp"]
