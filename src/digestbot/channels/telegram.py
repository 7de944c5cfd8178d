"""Telegram through python-telegram-bot's Bot: one sendMessage per part, errors mapped once.

The channel's Bot is the process's only Telegram client: the fan-out, the bot's replies and
alerts send through it, and the bot's PTB Application borrows it for long polling."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from typing import Any

import httpx
import telegram
import telegram.error as tg_error
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.request import HTTPXRequest

from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    MessageFrozen,
    MessageGone,
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
from digestbot.model import Channel
from digestbot.payloads import InlineKeyboard, Payload, TelegramMessage

DEFAULT_BASE_URL = "https://api.telegram.org"
_NUMERIC_CHAT = re.compile(r"-?\d+")

# Failures after the whole request may have left: Telegram may have delivered it. Every
# other httpx error (ConnectError, ConnectTimeout, PoolTimeout, WriteError of a request that
# never finished) means the server cannot have acted on it, so sending again is safe.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
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


def _bad_request(exc: tg_error.BadRequest) -> ChannelError:
    message = exc.message.lower()
    kind: type[ChannelError] = PermanentError
    if message.startswith(_NOT_MODIFIED):
        kind = Unchanged
    elif message.startswith(_GONE):
        kind = MessageGone
    elif message.startswith(_FROZEN):
        kind = MessageFrozen
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


class _ServerAnswered(tg_error.NetworkError):
    """Telegram answered with a 5xx. PTB would raise a NetworkError worded with Telegram's
    description alone; this one keeps the HTTP status too."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


class _StatusKeepingRequest(HTTPXRequest):
    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise _ServerAnswered(status, _description(payload) or HTTPStatus(status).phrase)
        return status, payload


def _description(payload: bytes) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return ""
    return str(body.get("description") or "") if isinstance(body, dict) else ""


def map_telegram_error(exc: Exception) -> ChannelError:
    """The single place where PTB/httpx failures become digestbot channel errors. PTB raises
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
        cause = exc.__cause__
        if isinstance(cause, _MAYBE_SENT):
            return UncertainDelivery(
                f"telegram: no answer after sending ({type(cause).__name__})", provider=tg
            )
        if isinstance(cause, httpx.HTTPError):
            return TransientError(
                f"telegram: request not sent ({type(cause).__name__})", provider=tg
            )
        # No httpx cause: the server answered with 5xx or another non-4xx status.
        status = exc.status if isinstance(exc, _ServerAnswered) else None
        return TransientError(f"telegram: {exc.message}", provider=tg, status=status)
    if isinstance(exc, tg_error.TelegramError):
        return PermanentError(f"telegram: {exc.message}", provider=tg, code=exc.message)
    if isinstance(exc, httpx.HTTPError):
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


def _chat_id(target: str) -> int | str:
    return int(target) if _NUMERIC_CHAT.fullmatch(target) else target


def _telegram_message(payload: Payload) -> TelegramMessage:
    if not isinstance(payload, TelegramMessage):
        raise TypeError(f"TelegramChannel cannot send {type(payload).__name__}")
    return payload


def _reply_parameters(reply_to: str | None) -> ReplyParameters | None:
    """Parts 2+ of a split digest answer part 1, so they read as one thread in a chat, group
    or channel. If part 1 is gone (an admin deleted it) the rest still goes out, unthreaded."""
    if reply_to is None or not reply_to.isdigit():
        return None
    return ReplyParameters(message_id=int(reply_to), allow_sending_without_reply=True)


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
        request = _StatusKeepingRequest(
            connection_pool_size=pool_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            pool_timeout=pool_timeout,
        )
        self.bot = LentBot(
            token,
            base_url=bot_base_url(base_url),
            base_file_url=file_base_url(base_url) or "https://api.telegram.org/file/bot",
            request=request,
            # Long polling holds its own connection so it never waits behind a send.
            get_updates_request=HTTPXRequest(connection_pool_size=1),
        )
        # As many requests out as the pool has connections: one waiting for a pooled
        # connection has not left, and must not be marked in flight yet.
        self._slots = SharedSlots(self, pool_size)
        self.connections = pool_size
        # Every send, not only the fan-out's: alerts and replies share the bot-wide pace, and
        # Telegram charges only for the messages above its free rate.
        self._paid_broadcast = True if paid_broadcast else None
        self._opened = False

    async def open(self) -> None:
        """Start the HTTP client and check the token (getMe)."""
        if self._opened:
            return
        try:
            await self.bot.initialize()
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        self._opened = True

    async def close(self) -> None:
        """Close the connections (also after an `open()` that failed half-way)."""
        self._opened = False
        await self.bot.release()

    def slot(self) -> AbstractAsyncContextManager[TelegramChannel]:
        return self._slots.hold()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        message = _telegram_message(payload)
        if not self._opened:
            await self.open()
        try:
            sent = await self.bot.send_message(
                chat_id=_chat_id(target),
                text=message.text,
                parse_mode=message.parse_mode,
                link_preview_options=_preview(message),
                reply_markup=_markup(message.keyboard),
                reply_parameters=_reply_parameters(reply_to),
                allow_paid_broadcast=self._paid_broadcast,
            )
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        return str(sent.message_id)

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """editMessageText on a message this bot sent to `target`; "message is not modified"
        means it already shows `payload`, which is what was asked."""
        message = _telegram_message(payload)
        if not self._opened:
            await self.open()
        try:
            await self.bot.edit_message_text(
                message.text,
                chat_id=_chat_id(target),
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
            await self.bot.delete_message(chat_id=_chat_id(target), message_id=int(message_id))
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
