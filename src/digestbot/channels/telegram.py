"""Telegram: one sendMessage per part, errors mapped once.

A send builds its body here (`telegram_bodies`) and posts it over the bot's connections
(`telegram_pool`); of the answer only the new message's id is read, instead of building PTB's
Message (with its chat, sender and every entity) for each of a broadcast's thousands of replies.
python-telegram-bot is loaded only when something needs it (`telegram_ptb`): an edit, a
delete, the bot's long polling, or an answer that is not 2xx, which PTB then judges exactly as
for any other Bot call, so errors map the same either way. A publish whose sends all pass never
imports it (a third of a second of its start).

The channel's Bot is the process's only Telegram client: the bot's replies and alerts send
through it, and the bot's PTB Application borrows it for long polling, over the same
connections as the fan-out."""

from __future__ import annotations

import json
import re
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from digestbot.channels.errors import ChannelError, MessageGone, UncertainDelivery, Unchanged
from digestbot.channels.redact import install_redaction, redact
from digestbot.channels.slots import SharedSlots
from digestbot.channels.telegram_bodies import SendBodies, chat_id
from digestbot.channels.telegram_pool import BotConnections
from digestbot.model import Channel
from digestbot.payloads import Payload, TelegramMessage

if TYPE_CHECKING:
    from digestbot.channels.telegram_ptb import LentBot

DEFAULT_BASE_URL = "https://api.telegram.org"


def bot_base_url(api_base_url: str) -> str:
    """PTB wants the prefix the token is appended to (`…/bot`); config holds the API root.
    Both forms (and PTB's `{token}` template) are accepted."""
    url = api_base_url.rstrip("/")
    if "{token}" in url or url.endswith("/bot"):
        return url
    return f"{url}/bot"


def file_base_url(api_base_url: str) -> str | None:
    """The file download prefix beside the API one (`…/file/bot`), or None for PTB's default
    when the configured URL is a `{token}` template we cannot safely rewrite."""
    url = api_base_url.rstrip("/")
    if "{token}" in url:
        return None
    url = url.removesuffix("/bot")
    return f"{url}/file/bot"


def map_telegram_error(exc: Exception) -> ChannelError:
    """A PTB or aiohttp failure as a digestbot channel error (`telegram_ptb`)."""
    from digestbot.channels import telegram_ptb  # PTB, only now: something failed

    return telegram_ptb.map_telegram_error(exc)


# How the Bot API begins a sendMessage answer: the new message's id comes first. Reading it
# from there spares decoding the rest (the text echoed back with every entity: json's decoder
# was the costliest single function of a broadcast's send); any other shape is decoded in full.
_SENT_ID = re.compile(
    rb'\{\s*"ok"\s*:\s*true\s*,\s*"result"\s*:\s*\{\s*"message_id"\s*:\s*(\d+)\s*[,}]'
)


def _message_id(answer: bytes) -> str:
    """The id of the message a 2xx answer to sendMessage reports. Accepted yet unreadable, or
    no id in it: it may well have been delivered, so the part is uncertain, not failed."""
    if (first := _SENT_ID.match(answer)) is not None:
        return first.group(1).decode()
    try:
        sent = json.loads(answer).get("result")
    except (ValueError, AttributeError):
        sent = None
    message_id = sent.get("message_id") if isinstance(sent, dict) else None
    if not isinstance(message_id, int):
        raise UncertainDelivery(
            "telegram: the answer to sendMessage has no message_id", provider=Channel.TELEGRAM
        )
    return str(message_id)


def _is_bot_user(answer: bytes) -> bool:
    try:
        user = json.loads(answer).get("result")
    except (ValueError, AttributeError):
        return False
    return isinstance(user, dict) and isinstance(user.get("id"), int)


def _telegram_message(payload: Payload) -> TelegramMessage:
    if not isinstance(payload, TelegramMessage):
        raise TypeError(f"TelegramChannel cannot send {type(payload).__name__}")
    return payload


class TelegramChannel:
    """Sends TelegramMessage parts (HTML or plain text, link previews off, optional buttons;
    a part after the first as a reply to the first: `reply_to`, the id the fan-out hands
    back) and edits them in place. `paid_broadcast`: every sendMessage carries
    allow_paid_broadcast, so the bot may pass Telegram's free ~30/s (the pacing decides how
    far); edits and deletes have no such flag and stay within the free rate."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        write_timeout: float = 10.0,
        pool_timeout: float = 5.0,
        pool_size: int = 64,
        name: str = "telegram",
        paid_broadcast: bool = False,
    ) -> None:
        install_redaction(token)  # PTB and httpx put the token in every request URL
        self.name = name
        self._token = token
        self._base_url = base_url
        self._connect_timeout = connect_timeout
        self._connections = BotConnections(
            pool_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            pool_timeout=pool_timeout,
        )
        self._bot: LentBot | None = None
        if not token:
            _ = self.bot  # PTB refuses an empty token (InvalidToken) as the channel is built
        # As many requests out as the pool has connections: one waiting for a pooled
        # connection has not left, and must not be marked in flight yet.
        self._slots = SharedSlots(self, pool_size)
        self.connections = pool_size
        # Every send, not only the fan-out's: alerts and replies share the bot-wide pace, and
        # Telegram charges only for the messages above its free rate.
        self._bodies = SendBodies(paid=paid_broadcast)
        self._send_url = ""
        self._opened = False

    @property
    def bot(self) -> LentBot:
        """PTB's Bot over this channel's connections, built the first time it is asked for
        (the bot's Application, an edit or a delete)."""
        if self._bot is None:
            from digestbot.channels.telegram_http import AiohttpRequest
            from digestbot.channels.telegram_ptb import LentBot

            self._bot = LentBot(
                self._token,
                base_url=bot_base_url(self._base_url),
                base_file_url=file_base_url(self._base_url) or "https://api.telegram.org/file/bot",
                request=AiohttpRequest(connections=self._connections),
                # Long polling holds its own connection so it never waits behind a send.
                get_updates_request=AiohttpRequest(1, connect_timeout=self._connect_timeout),
            )
        return self._bot

    def _api_url(self) -> str:
        """The Bot API prefix with the token (PTB's `Bot.base_url`); a `{token}` template is
        PTB's to fill in."""
        base = bot_base_url(self._base_url)
        return self.bot.base_url if "{" in base else base + self._token

    async def open(self) -> None:
        """Start the HTTP client and check the token (getMe). The Bot, once built (it is
        lent to the bot's Application), does it itself; otherwise the getMe goes over the
        connections, and PTB judges it only if it fails."""
        if self._opened:
            return
        api = self._api_url()
        try:
            if self._bot is not None:
                await self._bot.initialize()
            else:
                await self._connections.initialize()
                await self._check_token(api)
        except Exception as exc:
            error = map_telegram_error(exc)
            # A refused token's InvalidToken names the token (PTB's text, kept by
            # rejected_token): chained, any traceback of the error would print it.
            raise error from (None if redact(str(exc)) != str(exc) else exc)
        self._send_url = f"{api}/sendMessage"
        self._opened = True

    async def _check_token(self, api: str) -> None:
        """getMe as `Bot.initialize()` sends it (an empty JSON body) and fails it. An answer
        that is 2xx yet no bot user (no Bot API server would send one) goes to PTB's own
        `initialize()`, to fail as it fails."""
        try:
            answer = await self._connections.post_json(f"{api}/getMe", b"{}")
        except Exception as exc:
            from digestbot.channels.telegram_ptb import rejected_token

            refused = rejected_token(exc, self._token)
            if refused is exc:
                raise
            raise refused from exc
        if not _is_bot_user(answer):
            await self.bot.initialize()

    async def close(self) -> None:
        """Close the connections (also after an `open()` that failed half-way)."""
        self._opened = False
        if self._bot is not None:
            await self._bot.release()
        await self._connections.shutdown()

    def slot(self) -> AbstractAsyncContextManager[TelegramChannel]:
        return self._slots.hold()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        """sendMessage with the part's body encoded once (`telegram_bodies`); of the answer
        only the new message's id is read, no PTB Message built (with its chat, sender and
        every entity) for each of a broadcast's thousands of replies. Errors are PTB's own
        (`BotConnections.post_json`), so they map exactly as for any other Bot call."""
        message = _telegram_message(payload)
        if not self._opened:
            await self.open()
        try:
            body = self._bodies.body(target, message, reply_to)
            answer = await self._connections.post_json(self._send_url, body)
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        return _message_id(answer)

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """editMessageText on a message this bot sent to `target`; "message is not modified"
        means it already shows `payload`, which is what was asked."""
        message = _telegram_message(payload)
        from digestbot.channels import telegram_ptb

        if not self._opened:
            await self.open()
        try:
            await self.bot.edit_message_text(
                message.text,
                chat_id=chat_id(target),
                message_id=int(message_id),
                parse_mode=message.parse_mode,
                link_preview_options=telegram_ptb.preview(message),
                reply_markup=telegram_ptb.markup(message.keyboard),
            )
        except Exception as exc:
            error = map_telegram_error(exc)
            if isinstance(error, Unchanged):
                return
            raise error from exc

    async def delete(self, target: str, message_id: str) -> None:
        """deleteMessage; a message already gone counts as deleted."""
        if not self._opened:
            await self.open()
        try:
            await self.bot.delete_message(chat_id=chat_id(target), message_id=int(message_id))
        except Exception as exc:
            error = map_telegram_error(exc)
            if isinstance(error, MessageGone):
                return
            raise error from exc


__all__ = [
    "DEFAULT_BASE_URL",
    "TelegramChannel",
    "bot_base_url",
    "file_base_url",
    "map_telegram_error",
]
