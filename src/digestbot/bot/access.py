"""Who may do what in the bot: per-user command budgets (over budget: one notice per window,
then silence), who manages a chat (a private chat's user; in groups the administrators and the
owner, an anonymous admin included) and who is one of digestbot's admins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

import telegram
import telegram.error as tg_error
from telegram import Chat, ChatMember, Update
from telegram.constants import ChatType

from digestbot.bot import texts
from digestbot.bot.replies import Replies
from digestbot.bot.throttle import UserThrottle, Verdict
from digestbot.channels.telegram import map_telegram_error

log = logging.getLogger(__name__)

_MANAGERS = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


class Access:
    """`today_per_user` and `commands_per_user` are (count, seconds) sliding windows per
    Telegram user: every command passes the second, /today also the first."""

    def __init__(
        self,
        bot: telegram.Bot,
        replies: Replies,
        *,
        admin_chat_ids: Collection[str] = (),
        today_per_user: tuple[int, float] = (3, 60.0),
        commands_per_user: tuple[int, float] = (20, 60.0),
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._bot = bot
        self._replies = replies
        self.admin_chat_ids = frozenset(str(a) for a in admin_chat_ids)
        throttle_clock: dict[str, Any] = {} if clock is None else {"clock": clock}
        self.today_throttle = UserThrottle(*today_per_user, **throttle_clock)
        self.command_throttle = UserThrottle(*commands_per_user, **throttle_clock)

    def admitted(self, update: Update, throttle: UserThrottle) -> tuple[bool, str | None]:
        """(go ahead?, notice to send instead)."""
        user = update.effective_user
        chat = update.effective_chat
        key = user.id if user is not None else (chat.id if chat is not None else 0)
        decision = throttle.check(key)
        if decision.verdict is Verdict.ALLOW:
            return True, None
        if decision.verdict is Verdict.NOTIFY:
            return False, texts.slow_down(decision.retry_after)
        return False, None

    async def admit(self, update: Update, *, today: bool = False) -> bool:
        """The sender's budget for this command; over it, they have been told (or not again)."""
        for throttle in (self.command_throttle, self.today_throttle)[: 2 if today else 1]:
            ok, notice = self.admitted(update, throttle)
            if not ok:
                if notice is not None:
                    await self._replies.to(update, notice)
                return False
        return True

    async def may_manage(self, update: Update) -> bool:
        chat = update.effective_chat
        if chat is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return True
        message = update.effective_message
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id == chat.id  # an anonymous admin posts as the group
        user = update.effective_user
        if user is None:
            return False
        try:
            member = await self._bot.get_chat_member(chat.id, user.id)
        except tg_error.TelegramError as exc:
            log.warning("telegram getChatMember in %s failed: %s", chat.id, map_telegram_error(exc))
            return False
        return member.status in _MANAGERS

    async def managed_chat(self, update: Update) -> Chat | None:
        """The chat a /start or /stop may change; None when the sender is over budget or may
        not manage it (then they have been told why, or throttled into silence)."""
        chat = update.effective_chat
        if chat is None or not await self.admit(update):
            return None
        if not await self.may_manage(update):
            await self._replies.to(update, texts.GROUP_ADMINS_ONLY)
            return None
        return chat

    def is_admin(self, update: Update) -> bool:
        chat, user = update.effective_chat, update.effective_user
        ids = {str(chat.id) if chat else None, str(user.id) if user else None}
        return bool(ids & self.admin_chat_ids)


__all__ = ["Access"]
