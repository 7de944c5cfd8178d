"""python-telegram-bot's side of the Telegram channel: the Bot it lends to PTB's Application,
the keyboards and previews of its edits, and the one place PTB's and aiohttp's failures
become digestbot channel errors. `telegram.py` imports this module only when it needs PTB (an
edit, a delete, the bot's long polling, a send that failed): a broadcast that Telegram accepts
never loads PTB."""

from __future__ import annotations

import datetime as dt
import warnings
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
from digestbot.channels.telegram_http import ServerAnswered
from digestbot.model import Channel
from digestbot.payloads import InlineKeyboard, TelegramMessage

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


def rejected_token(exc: Exception, token: str) -> Exception:
    """What `Bot.initialize()` raises when its getMe fails with `exc`: the same, except that
    a refused token is named the way PTB names it."""
    if not isinstance(exc, tg_error.InvalidToken):
        return exc
    return tg_error.InvalidToken(f"The token `{token}` was rejected by the server.")


class LentBot(telegram.Bot):
    """The channel's client, lent to PTB's Application for long polling. The Application and
    its Updater call `shutdown()` when polling stops, but the same connections still carry the
    fan-out and the alerts: only the channel closes them (`release()`), when its last user is
    done. `initialize()` is PTB's own and idempotent."""

    async def shutdown(self) -> None:
        return None

    async def release(self) -> None:
        await super().shutdown()


def markup(keyboard: InlineKeyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data) for b in row]
            for row in keyboard.inline_keyboard
        ]
    )


def preview(payload: TelegramMessage) -> LinkPreviewOptions | None:
    return LinkPreviewOptions(is_disabled=True) if payload.disable_link_preview else None


__all__ = ["LentBot", "map_telegram_error", "markup", "preview", "rejected_token"]
