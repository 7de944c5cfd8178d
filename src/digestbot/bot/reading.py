"""/today, /help and /status: what a reader (or an admin) asks the bot to show."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from digestbot.bot import texts
from digestbot.bot.access import Access
from digestbot.bot.commands import DEFAULT_VARIANT, IssueProvider, parse_today, resolve_today
from digestbot.bot.replies import CHANNEL, Ctx, Replies
from digestbot.delivery import PublishReport, report_text
from digestbot.notices import Notices
from digestbot.payloads import TelegramMessage
from digestbot.rendering import Audience, Renderer, telegram_length
from digestbot.rendering.limits import TELEGRAM_MAX_UTF16
from digestbot.store import ArchiveReader, DeliveryLog, Subscribers

log = logging.getLogger(__name__)

StatusText = Callable[[], Awaitable[str]]


def with_note(parts: list[TelegramMessage], note: str | None) -> list[TelegramMessage]:
    """Put the "this is an older issue" line on top of the first part when it still fits
    there (one message fewer against the chat's 1/s), else send it as its own message."""
    if note is None or not parts:
        return parts
    first = parts[0]
    line = html.escape(note, quote=False) if first.parse_mode == "HTML" else note
    merged = f"{line}\n\n{first.text}"
    if telegram_length(merged) <= TELEGRAM_MAX_UTF16:
        return [TelegramMessage(merged, first.parse_mode, first.disable_link_preview), *parts[1:]]
    return [TelegramMessage(line, first.parse_mode), *parts]


class StatusSource(ArchiveReader, DeliveryLog, Protocol):
    """/status: the latest issue and its deliveries per channel."""


class ReadingStore(StatusSource, Subscribers, Protocol):
    """/today and /status: a reader's variant, the latest issue and its deliveries."""


def publish_status(store: StatusSource, today: dt.date, notices: Notices | None = None) -> str:
    """The latest issue's deliveries per channel and status, from the ledger (in the admins'
    language, `[bot] language`)."""
    latest = store.latest_issue()
    if latest is None:
        return f"{today.isoformat()}：{texts.STATUS_UNAVAILABLE}"
    summary = store.summary(latest.issue_date)
    report = PublishReport(latest.issue_date, ledger=dict(summary))
    return f"{latest.issue_date.isoformat()}\n{report_text(report, notices)}"


class ReadingHandlers:
    """`status_text` replaces the ledger summary /status shows (tests)."""

    def __init__(
        self,
        store: ReadingStore,
        renderer: Renderer,
        issues: IssueProvider,
        replies: Replies,
        access: Access,
        *,
        status_text: StatusText | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.store = store
        self.renderer = renderer
        self.issues = issues
        self.replies = replies
        self.access = access
        self._status_text = status_text
        self._today = today

    def handlers(self) -> list[BaseHandler[Update, Ctx, Any]]:
        return [
            CommandHandler("today", self.on_today),
            CommandHandler("help", self.on_help),
            CommandHandler("status", self.on_status),
        ]

    async def on_today(self, update: Update, context: Ctx) -> None:
        chat = update.effective_chat
        if chat is None or not await self.access.admit(update, today=True):
            return
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, str(chat.id))
        default = row.variant if row is not None and row.active else DEFAULT_VARIANT
        request = parse_today(" ".join(context.args or ()), default)
        if request is None:
            await self.replies.to(update, texts.UNKNOWN_VARIANT)
            return
        try:
            answer = await resolve_today(self.issues, request, self._today())
        except Exception:
            log.exception("/today: looking up the issue failed")
            await self.replies.to(update, texts.TODAY_FAILED)
            return
        if answer.issue is None:
            await self.replies.to(update, answer.note or texts.NO_ISSUE_YET)
            return
        try:
            # A reply to the reader's own command: "发送 /today full" is a promise that holds.
            parts = await asyncio.to_thread(
                self.renderer.telegram, answer.issue, request.variant, Audience.CHAT
            )
        except Exception:
            log.exception("rendering /today (%s) failed", request.variant.value)
            await self.replies.to(update, texts.TODAY_FAILED)
            return
        await self.replies.send(chat.id, with_note(parts, answer.note))

    async def on_help(self, update: Update, _: Ctx) -> None:
        if await self.access.admit(update):
            await self.replies.to(update, texts.HELP)

    async def on_status(self, update: Update, _: Ctx) -> None:
        if not await self.access.admit(update):
            return
        if not self.access.is_admin(update):
            await self.replies.to(update, texts.ADMINS_ONLY)
            return
        try:
            if self._status_text is not None:
                text = await self._status_text()
            else:
                text = await asyncio.to_thread(publish_status, self.store, self._today())
        except Exception:
            log.exception("/status failed")
            text = texts.STATUS_UNAVAILABLE
        await self.replies.to(update, text or texts.STATUS_UNAVAILABLE)


__all__ = ["ReadingHandlers", "StatusText", "publish_status", "with_note"]
