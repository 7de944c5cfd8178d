"""Telegram through python-telegram-bot's Bot: one sendMessage per part, errors mapped once.

The channel's Bot is the process's only Telegram client: the fan-out, the bot's replies and
alerts send through it, and the bot's PTB Application borrows it for long polling. Its
requests travel over aiohttp (`telegram_http`). A send needs only the new message's id from
the answer, so it is read from the JSON instead of building PTB's Message (with its chat,
sender and every entity) for each of a broadcast's thousands of replies; PTB still builds the
request and raises its exceptions, so errors map exactly as for any other Bot call."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
import telegram
import telegram.error as tg_error
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    MessageFrozen,
    MessageGone,
    PayloadRejected,
    PermanentError,
    RetryAfter,
    Scope,
    TargetGone,
    TransientError,
    UncertainDelivery,
    Unchanged,
)
from digestbot.channels.redact import install_redaction
from digestbot.channels.slots import SharedSlots
from digestbot.channels.telegram_bodies import SendBodies, chat_id
from digestbot.channels.telegram_http import AiohttpRequest, ServerAnswered
from digestbot.model import Channel
from digestbot.payloads import InlineKeyboard, Payload, TelegramMessage

DEFAULT_BASE_URL = "https://api.telegram.org"

# Failures before the request can have left: no connection (refused, unresolvable, timed
# out while connecting or waiting for a pooled one). Sending again is safe.
_NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# Failures after it may have left: no answer in time, the connection dropped or broke while
# we waited. Telegram may have delivered it.
_MAYBE_SENT = (
    aiohttp.SocketTimeoutError,
    TimeoutError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientOSError,
)


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


# Bot API descriptions (PTB strips "Bad Request: " and capitalizes, so they are compared in
# lower case) for a message that is there no more, one Telegram will not change, and an edit to
# what the message already shows.
_GONE = ("message to edit not found", "message to delete not found")
_FROZEN = ("message can't be edited", "message can't be deleted")
_NOT_MODIFIED = "message is not modified"
# The form of the message, not the chat: a smaller or plainer one may pass.
_FORM = ("can't parse entities", "message is too long", "text is too long")


def _bad_request(exc: tg_error.BadRequest) -> ChannelError:
    message = exc.message.lower()
    kind: type[ChannelError] = PermanentError
    if message.startswith(_NOT_MODIFIED):
        kind = Unchanged
    elif message.startswith(_GONE):
        kind = MessageGone
    elif message.startswith(_FROZEN):
        kind = MessageFrozen
    elif message.startswith(_FORM):
        kind = PayloadRejected
    detail = f"telegram: {exc.message}"
    return kind(detail, provider=Channel.TELEGRAM, code=exc.message, status=400)


def _retry_seconds(exc: tg_error.RetryAfter) -> float:
    # PTB 22 returns int or timedelta depending on PTB_TIMEDELTA and warns about the change.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def _network(exc: tg_error.NetworkError) -> ChannelError:
    """A request that got no Bot API answer (the transport failed: the cause says where), or
    one answered with a 5xx."""
    tg = Channel.TELEGRAM
    cause = exc.__cause__
    name = type(cause).__name__
    # Order matters: aiohttp's connect timeout is a TimeoutError, its connector error an OSError.
    if isinstance(cause, _NOT_SENT):
        return TransientError(f"telegram: request not sent ({name})", provider=tg)
    if isinstance(cause, _MAYBE_SENT):
        return UncertainDelivery(f"telegram: no answer after sending ({name})", provider=tg)
    if isinstance(cause, aiohttp.ClientError):
        return TransientError(f"telegram: request not sent ({name})", provider=tg)
    # No transport cause: the server answered with 5xx or another non-4xx status.
    status = exc.status if isinstance(exc, ServerAnswered) else None
    return TransientError(f"telegram: {exc.message}", provider=tg, status=status)


def map_telegram_error(exc: Exception) -> ChannelError:
    """The single place where PTB/aiohttp failures become digestbot channel errors. PTB raises
    one class per HTTP status (Forbidden 403, InvalidToken 401/404, BadRequest 400,
    NetworkError for 5xx); Telegram's description is the only name an error has."""
    tg = Channel.TELEGRAM
    if isinstance(exc, tg_error.RetryAfter):
        return RetryAfter(_retry_seconds(exc), "telegram rate limit", provider=tg)
    if isinstance(exc, tg_error.ChatMigrated):
        return ChatMigrated(str(exc.new_chat_id))
    if isinstance(exc, tg_error.Forbidden):
        return TargetGone(f"telegram: {exc.message}", provider=tg, code=exc.message, status=403)
    if isinstance(exc, tg_error.InvalidToken):
        return PermanentError(
            f"telegram: invalid bot token ({exc.message})",
            provider=tg,
            code=exc.message,
            status=401,
            scope=Scope.CHANNEL,
        )
    if isinstance(exc, tg_error.BadRequest):  # before NetworkError: BadRequest subclasses it
        return _bad_request(exc)
    if isinstance(exc, tg_error.NetworkError):  # TimedOut included
        return _network(exc)
    if isinstance(exc, tg_error.TelegramError):
        return PermanentError(f"telegram: {exc.message}", provider=tg, code=exc.message)
    if isinstance(exc, aiohttp.ClientError):
        return TransientError(f"telegram: {type(exc).__name__}", provider=tg)
    raise exc


class LentBot(telegram.Bot):
    """The channel's client, lent to PTB's Application for long polling. The Application and
    its Updater call `shutdown()` when polling stops, but the same connections still carry the
    fan-out and the alerts: only the channel closes them (`release()`), when its last user is
    done. `initialize()` is PTB's own and idempotent."""

    async def shutdown(self) -> None:
        return None

    async def release(self) -> None:
        await super().shutdown()


def _markup(keyboard: InlineKeyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data) for b in row]
            for row in keyboard.inline_keyboard
        ]
    )


def _preview(payload: TelegramMessage) -> LinkPreviewOptions | None:
    return LinkPreviewOptions(is_disabled=True) if payload.disable_link_preview else None


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
        request = AiohttpRequest(
            pool_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            pool_timeout=pool_timeout,
        )
        self._request = request
        self.bot = LentBot(
            token,
            base_url=bot_base_url(base_url),
            base_file_url=file_base_url(base_url) or "https://api.telegram.org/file/bot",
            request=request,
            # Long polling holds its own connection so it never waits behind a send.
            get_updates_request=AiohttpRequest(1, connect_timeout=connect_timeout),
        )
        # As many requests out as the pool has connections: one waiting for a pooled
        # connection has not left, and must not be marked in flight yet.
        self._slots = SharedSlots(self, pool_size)
        self.connections = pool_size
        # Every send, not only the fan-out's: alerts and replies share the bot-wide pace, and
        # Telegram charges only for the messages above its free rate.
        self._bodies = SendBodies(paid=paid_broadcast)
        self._send_url = ""
        self._opened = False

    async def open(self) -> None:
        """Start the HTTP client and check the token (getMe)."""
        if self._opened:
            return
        try:
            await self.bot.initialize()
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        self._send_url = f"{self.bot.base_url}/sendMessage"
        self._opened = True

    async def close(self) -> None:
        """Close the connections (also after an `open()` that failed half-way)."""
        self._opened = False
        await self.bot.release()

    def slot(self) -> AbstractAsyncContextManager[TelegramChannel]:
        return self._slots.hold()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        """sendMessage with the part's body encoded once (`telegram_bodies`); of the answer
        only the new message's id is read, no PTB Message built (with its chat, sender and
        every entity) for each of a broadcast's thousands of replies. Errors are PTB's own
        (`AiohttpRequest.post_body`), so they map exactly as for any other Bot call."""
        message = _telegram_message(payload)
        if not self._opened:
            await self.open()
        try:
            body = self._bodies.body(target, message, reply_to)
            answer = await self._request.post_body(self._send_url, body)
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        return _message_id(answer)

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """editMessageText on a message this bot sent to `target`; "message is not modified"
        means it already shows `payload`, which is what was asked."""
        message = _telegram_message(payload)
        if not self._opened:
            await self.open()
        try:
            await self.bot.edit_message_text(
                message.text,
                chat_id=chat_id(target),
                message_id=int(message_id),
                parse_mode=message.parse_mode,
                link_preview_options=_preview(message),
                reply_markup=_markup(message.keyboard),
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
    "LentBot",
    "TelegramChannel",
    "bot_base_url",
    "file_base_url",
    "map_telegram_error",
]
