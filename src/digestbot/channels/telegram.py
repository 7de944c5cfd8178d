"""Telegram through python-telegram-bot's Bot: one sendMessage per part, errors mapped once."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from typing import Any

import httpx
import telegram
import telegram.error as tg_error
from telegram import LinkPreviewOptions
from telegram.request import HTTPXRequest

from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TargetGone,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.redact import install_redaction
from digestbot.rendering.payloads import Payload, TelegramMessage

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


def _retry_seconds(exc: tg_error.RetryAfter) -> float:
    # PTB 22 returns int or timedelta depending on PTB_TIMEDELTA and warns about the change.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def map_telegram_error(exc: Exception) -> ChannelError:
    """The single place where PTB/httpx failures become digestbot channel errors."""
    if isinstance(exc, tg_error.RetryAfter):
        return RetryAfter(_retry_seconds(exc), "telegram rate limit")
    if isinstance(exc, tg_error.ChatMigrated):
        return ChatMigrated(str(exc.new_chat_id))
    if isinstance(exc, tg_error.Forbidden):
        return TargetGone(f"telegram: {exc.message}")
    if isinstance(exc, tg_error.InvalidToken):
        return PermanentError(f"telegram: invalid bot token ({exc.message})")
    if isinstance(exc, tg_error.BadRequest):  # before NetworkError: BadRequest subclasses it
        return PermanentError(f"telegram: {exc.message}")
    if isinstance(exc, tg_error.NetworkError):  # TimedOut included
        cause = exc.__cause__
        if isinstance(cause, _MAYBE_SENT):
            return UncertainDelivery(f"telegram: no answer after sending ({type(cause).__name__})")
        if isinstance(cause, httpx.HTTPError):
            return TransientError(f"telegram: request not sent ({type(cause).__name__})")
        # No httpx cause: the server answered with 5xx or another non-4xx status.
        return TransientError(f"telegram: {exc.message}")
    if isinstance(exc, tg_error.TelegramError):
        return PermanentError(f"telegram: {exc.message}")
    if isinstance(exc, httpx.HTTPError):
        return TransientError(f"telegram: {type(exc).__name__}")
    raise exc


class TelegramChannel:
    """Sends TelegramMessage parts with HTML parse mode and link previews off."""

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
    ) -> None:
        install_redaction(token)
        self.name = name
        request = HTTPXRequest(
            connection_pool_size=pool_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            pool_timeout=pool_timeout,
        )
        self.bot = telegram.Bot(
            token,
            base_url=bot_base_url(base_url),
            request=request,
            get_updates_request=HTTPXRequest(connection_pool_size=1),
        )
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
        if self._opened:
            self._opened = False
            await self.bot.shutdown()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        if not isinstance(payload, TelegramMessage):
            raise TypeError(f"TelegramChannel cannot send {type(payload).__name__}")
        if not self._opened:
            await self.open()
        chat_id: int | str = int(target) if _NUMERIC_CHAT.fullmatch(target) else target
        try:
            message = await self.bot.send_message(
                chat_id=chat_id,
                text=payload.text,
                parse_mode=payload.parse_mode,
                link_preview_options=(
                    LinkPreviewOptions(is_disabled=True) if payload.disable_link_preview else None
                ),
            )
        except Exception as exc:
            raise map_telegram_error(exc) from exc
        return str(message.message_id)


__all__ = ["DEFAULT_BASE_URL", "TelegramChannel", "bot_base_url", "map_telegram_error"]
