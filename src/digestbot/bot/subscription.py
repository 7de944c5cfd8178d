"""/start, /stop, /format and the variant buttons: a chat joins, leaves, or picks its variant."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import telegram.error as tg_error
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from digestbot.bot import texts
from digestbot.bot.access import Access
from digestbot.bot.commands import DEFAULT_VARIANT
from digestbot.bot.keyboards import CALLBACK_PREFIX, parse_variant_callback, variant_keyboard
from digestbot.bot.replies import CHANNEL, Ctx, Replies
from digestbot.channels.telegram import map_telegram_error
from digestbot.store import Subscribers

log = logging.getLogger(__name__)


class SubscriptionHandlers:
    def __init__(self, store: Subscribers, replies: Replies, access: Access) -> None:
        self.store = store
        self.replies = replies
        self.access = access

    def handlers(self) -> list[BaseHandler[Update, Ctx, Any]]:
        return [
            CommandHandler("start", self.on_start),
            CommandHandler("stop", self.on_stop),
            CommandHandler("format", self.on_format),
            CallbackQueryHandler(self.on_variant_button, pattern=f"^{CALLBACK_PREFIX}"),
        ]

    async def on_start(self, update: Update, _: Ctx) -> None:
        chat = await self.access.managed_chat(update)
        if chat is None:
            return
        target = str(chat.id)
        existing = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, target)
        variant = existing.variant if existing is not None else DEFAULT_VARIANT
        name = chat.title or chat.full_name or chat.username
        joined = await asyncio.to_thread(self.store.subscribe, CHANNEL, target, variant, name)
        log.info("telegram chat %s subscribed (%s)", target, variant.value)
        await self.replies.to(
            update, texts.welcome(variant, again=not joined), variant_keyboard(variant)
        )

    async def on_stop(self, update: Update, _: Ctx) -> None:
        chat = await self.access.managed_chat(update)
        if chat is None:
            return
        left = await asyncio.to_thread(self.store.unsubscribe, CHANNEL, str(chat.id))
        await self.replies.to(update, texts.UNSUBSCRIBED if left else texts.NOT_SUBSCRIBED)

    async def on_format(self, update: Update, _: Ctx) -> None:
        chat = update.effective_chat
        if chat is None or not await self.access.admit(update):
            return
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, str(chat.id))
        if row is None or not row.active:
            await self.replies.to(update, texts.NOT_SUBSCRIBED)
            return
        await self.replies.to(
            update, texts.choose_variant(row.variant), variant_keyboard(row.variant)
        )

    async def on_variant_button(self, update: Update, _: Ctx) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:
            return
        ok, notice = self.access.admitted(update, self.access.command_throttle)
        if not ok:
            await _answer(query.answer, notice)
            return
        variant = parse_variant_callback(query.data)
        if variant is None:
            await _answer(query.answer, None)
            return
        if not await self.access.may_manage(update):
            await _answer(query.answer, texts.GROUP_ADMINS_ONLY, alert=True)
            return
        target = str(chat.id)
        row = await asyncio.to_thread(self.store.get_subscriber, CHANNEL, target)
        if row is None or not row.active:
            await _answer(query.answer, texts.NOT_SUBSCRIBED, alert=True)
            return
        await asyncio.to_thread(self.store.set_variant, CHANNEL, target, variant)
        await _answer(query.answer, texts.variant_changed(variant))
        if variant != row.variant and query.message is not None:
            # Unchanged text would earn "message is not modified"; only edit on a change.
            await self.replies.edit(
                chat.id,
                query.message.message_id,
                texts.variant_changed(variant),
                variant_keyboard(variant),
            )


async def _answer(
    answer: Callable[..., Awaitable[bool]], text: str | None, *, alert: bool = False
) -> None:
    # Every button press must be answered or the client shows a spinner; never fatal.
    try:
        await answer(text=text, show_alert=alert)
    except tg_error.TelegramError as exc:
        log.warning("telegram answerCallbackQuery failed: %s", map_telegram_error(exc))


__all__ = ["SubscriptionHandlers"]
