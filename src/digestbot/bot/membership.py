"""The bot's place in chats changes: removed from a group or blocked by a user (the chat is
deactivated), a group upgraded to a supergroup (its subscription follows the new id)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler, filters

from digestbot.bot.replies import CHANNEL, Ctx
from digestbot.store import DeliveryMoves, Subscribers, follow_migration

log = logging.getLogger(__name__)

_GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})


class MembershipStore(Subscribers, DeliveryMoves, Protocol):
    """A chat that leaves is deactivated; one that moves takes its deliveries along."""


class MembershipHandlers:
    def __init__(self, store: MembershipStore) -> None:
        self.store = store

    def handlers(self) -> list[BaseHandler[Update, Ctx, Any]]:
        return [
            MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate),
            ChatMemberHandler(self.on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ]

    async def on_migrate(self, update: Update, _: Ctx) -> None:
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return  # the new supergroup's "migrated from" twin carries nothing new
        old, new = str(message.chat.id), str(message.migrate_to_chat_id)
        await asyncio.to_thread(follow_migration, self.store, self.store, CHANNEL, old, new)
        log.info("telegram chat %s moved to %s", old, new)

    async def on_my_membership(self, update: Update, _: Ctx) -> None:
        change = update.my_chat_member
        if change is None or change.new_chat_member.status not in _GONE:
            return
        reason = "bot removed from chat" if change.chat.type != ChatType.PRIVATE else "bot blocked"
        await asyncio.to_thread(self.store.deactivate, CHANNEL, str(change.chat.id), reason)


__all__ = ["MembershipHandlers", "MembershipStore"]
