"""How the Telegram handlers answer: short plain-text messages, digests and keyboard edits, all
through the shared Telegram sender, so they count against the same limits as the publish and
each answer's parts arrive together, in order."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes

from digestbot.channels.telegram import TelegramChannel
from digestbot.delivery import PacedSender, edit_now, send_now
from digestbot.model import Channel
from digestbot.payloads import InlineKeyboard, TelegramMessage

CHANNEL = Channel.TELEGRAM  # the subscribers' channel in the store
Ctx = ContextTypes.DEFAULT_TYPE


def plain(text: str, keyboard: InlineKeyboard | None = None) -> TelegramMessage:
    """One of the bot's own texts: no parse mode, so nothing in it can fail entity parsing."""
    return TelegramMessage(text, parse_mode=None, keyboard=keyboard)


class Replies:
    def __init__(self, sender: PacedSender[TelegramChannel]) -> None:
        self.sender = sender

    async def send(self, chat_id: int | str, messages: Sequence[TelegramMessage]) -> int:
        """Send `messages` in order; how many went out (it stops at the first refusal)."""
        return len(await send_now(self.sender, str(chat_id), messages))

    async def text(
        self, chat_id: int | str, text: str, keyboard: InlineKeyboard | None = None
    ) -> bool:
        return await self.send(chat_id, [plain(text, keyboard)]) == 1

    async def to(self, update: Update, text: str, keyboard: InlineKeyboard | None = None) -> None:
        """Answer in the chat the update came from."""
        chat = update.effective_chat
        if chat is not None:
            await self.text(chat.id, text, keyboard)

    async def edit(
        self, chat_id: int | str, message_id: int, text: str, keyboard: InlineKeyboard | None
    ) -> bool:
        return await edit_now(self.sender, str(chat_id), str(message_id), plain(text, keyboard))


__all__ = ["CHANNEL", "Ctx", "Replies", "plain"]
