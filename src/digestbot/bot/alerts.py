"""Admin notices (late issue, refused issue, publish reports): plain text to every admin chat
through the shared Telegram sender. Failures are logged, never raised: an alert about a
problem must not become a second problem."""

from __future__ import annotations

import logging
from collections.abc import Collection

from digestbot.bot.replies import plain
from digestbot.channels.errors import ChannelError
from digestbot.channels.telegram import TelegramChannel
from digestbot.delivery import PacedSender, send_now

log = logging.getLogger(__name__)

ALERT_LIMIT = 4000  # characters; far below 4096 UTF-16 units even for astral text halves


class AdminAlerts:
    """With no sender (Telegram off or writing to the outbox) alerts only reach the log."""

    def __init__(
        self, sender: PacedSender[TelegramChannel] | None, admin_chat_ids: Collection[str]
    ) -> None:
        self.sender = sender
        self.admin_chat_ids = sorted({str(chat) for chat in admin_chat_ids})

    async def send(self, text: str, *, level: int = logging.WARNING) -> int:
        """Log `text` (at `level`: a problem warns, a success report informs) and send it to
        every admin chat; returns how many chats got it."""
        log.log(level, "admin alert: %s", text)
        if self.sender is None or not self.admin_chat_ids:
            return 0
        if len(text) > ALERT_LIMIT:
            text = text[: ALERT_LIMIT - 1] + "…"
        sent = 0
        try:
            async with self.sender.session():
                for chat in self.admin_chat_ids:
                    sent += len(await send_now(self.sender, chat, [plain(text)]))
        except ChannelError as exc:
            log.warning("admin alert not sent: telegram unavailable (%s)", exc)
        return sent


__all__ = ["ALERT_LIMIT", "AdminAlerts"]
