"""Telling the admins that a channel stopped, from a `publish` or `retry` run (`digestbot run`
tells them through its bot's alerts): a plain message to each `[telegram] admin_chat_ids`
chat, through the run's own Telegram sender, once per channel and run. When Telegram is the
channel that stopped, the message cannot go: the log line and the summary still say it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from digestbot.channels.errors import ChannelError
from digestbot.config import Config, TelegramConfig
from digestbot.delivery.attempts import send_now
from digestbot.delivery.fanout import ChannelDownAlert
from digestbot.delivery.paced import PacedSender
from digestbot.model import Channel
from digestbot.notices import Notices
from digestbot.payloads import TelegramMessage

log = logging.getLogger(__name__)


def channel_down_alert(
    config: Config, senders: Mapping[Channel, PacedSender[Any]]
) -> ChannelDownAlert | None:
    """The alert for `publish(alert=...)`, or None when there is no admin to tell."""
    section = config.channel(Channel.TELEGRAM)
    sender = senders.get(Channel.TELEGRAM)
    if not isinstance(section, TelegramConfig) or not section.admin_chat_ids or sender is None:
        return None
    admins = sorted({str(chat) for chat in section.admin_chat_ids})
    notices = Notices(config.bot.language)

    async def alert(channel: Channel, error: str) -> None:
        text = notices.channel_down(channel, error)
        log.warning("admin alert: %s", text)
        if channel is Channel.TELEGRAM:
            return  # the way to the admins is what broke
        await message_admins(sender, admins, TelegramMessage(text, parse_mode=None))

    return alert


async def message_admins(
    sender: PacedSender[Any], chats: Iterable[str], message: TelegramMessage
) -> None:
    """`message` to each admin chat; a failure is logged, never raised. Telegram may be down
    too (a wrong token found while telling the admins that another channel stopped): that must
    not end the run that is reporting, nor print a traceback, whose chained causes are
    provider texts that may quote the token."""
    try:
        async with sender.session():
            for chat in chats:
                await send_now(sender, chat, [message])
    except ChannelError as exc:
        log.warning("admin message not sent: %s", exc)


__all__ = ["channel_down_alert", "message_admins"]
