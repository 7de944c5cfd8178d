"""Slack through slack_sdk's AsyncWebClient: chat.postMessage, one attempt, errors mapped once."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from digestbot.channels.errors import (
    ChannelError,
    MessageFrozen,
    MessageGone,
    PayloadRejected,
    PermanentError,
    RetryAfter,
    Scope,
    TargetGone,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.redact import install_redaction
from digestbot.channels.slots import SharedSlots
from digestbot.model import Channel
from digestbot.payloads import Payload, SlackMessage

DEFAULT_BASE_URL = "https://slack.com/api/"

# The token or the app is no good: no channel in the workspace can be posted to.
_AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "ekm_access_denied",
    }
)
# The bot was removed from the channel or the channel was archived: stop sending there.
_GONE_ERRORS = frozenset({"is_archived", "not_in_channel", "channel_is_archived"})
_SERVER_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# Slack will not change this message: not ours, the workspace's edit window, legal hold.
_FROZEN_ERRORS = frozenset(
    {
        "cant_update_message",
        "cant_delete_message",
        "edit_window_closed",
        "compliance_exports_prevent_deletion",
    }
)
# The message's form, not the channel: fewer blocks or plain text may pass.
_FORM_ERRORS = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long"}
)
_DEFAULT_RETRY_AFTER = 1.0


def _retry_after(headers: Any) -> float:
    try:
        return float(headers.get("Retry-After", _DEFAULT_RETRY_AFTER))
    except (TypeError, ValueError):
        return _DEFAULT_RETRY_AFTER


def map_slack_error(exc: Exception) -> ChannelError:
    """The single place where slack_sdk/aiohttp failures become digestbot channel errors."""
    slack = Channel.SLACK
    if isinstance(exc, SlackApiError):
        status = int(exc.response.status_code)
        data = exc.response.data
        error = str(data.get("error", "")) if isinstance(data, dict) else ""
        code = error or None
        if status == 429 or error == "ratelimited":
            seconds = _retry_after(exc.response.headers)
            return RetryAfter(
                seconds, "slack rate limit", provider=slack, code=code, status=status
            )
        if status >= 500 or error in _SERVER_ERRORS:
            detail = f"slack: HTTP {status} {error}".rstrip()
            return TransientError(detail, provider=slack, code=code, status=status)
        if error in _AUTH_ERRORS:
            return PermanentError(
                f"slack: {error}", provider=slack, code=code, status=status, scope=Scope.CHANNEL
            )
        if error in _GONE_ERRORS:
            return TargetGone(f"slack: {error}", provider=slack, code=code, status=status)
        if error in _FORM_ERRORS:
            return PayloadRejected(f"slack: {error}", provider=slack, code=code, status=status)
        if error == "message_not_found":
            return MessageGone(f"slack: {error}", provider=slack, code=code, status=status)
        if error in _FROZEN_ERRORS:
            return MessageFrozen(f"slack: {error}", provider=slack, code=code, status=status)
        detail = f"slack: {error or f'HTTP {status}'}"
        return PermanentError(detail, provider=slack, code=code, status=status)
    name = type(exc).__name__
    # Order matters: both timeout classes subclass ServerTimeoutError/asyncio.TimeoutError.
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return TransientError(f"slack: request not sent ({name})", provider=slack)
    if isinstance(exc, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        return UncertainDelivery(f"slack: no answer after sending ({name})", provider=slack)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return UncertainDelivery(
            f"slack: connection dropped after sending ({name})", provider=slack
        )
    if isinstance(exc, aiohttp.ClientError):
        return TransientError(f"slack: {name}", provider=slack)
    raise exc


class SlackChannel:
    """Posts SlackMessage parts; a part with `reply_to` goes into that message's thread."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        pool_size: int = 64,
        name: str = "slack",
    ) -> None:
        install_redaction(token)
        self.name = name
        self._token = token
        self._base_url = base_url if base_url.endswith("/") else f"{base_url}/"
        # Separate connect and read timeouts (slack_sdk's own is one `total`), so a timeout
        # tells whether the request left: that decides transient vs uncertain.
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        self._pool_size = pool_size
        self._slots = SharedSlots(self, pool_size)
        self.connections = pool_size
        self._session: aiohttp.ClientSession | None = None
        self._client: AsyncWebClient | None = None

    async def open(self) -> None:
        """Start the HTTP session and check the token (auth.test), as Telegram's getMe does:
        a wrong or revoked token costs one request here, not one refused post per channel."""
        if self._client is not None:
            return
        self._session = aiohttp.ClientSession(
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=self._pool_size),
        )
        # retry_handlers=[]: delivery paces and retries itself; slack_sdk's default handler
        # would silently resend after connection errors, risking a duplicate post.
        client = AsyncWebClient(
            token=self._token,
            base_url=self._base_url,
            session=self._session,
            retry_handlers=[],
        )
        try:
            await client.auth_test()
        except Exception as exc:
            await self.close()
            raise map_slack_error(exc) from exc
        self._client = client

    async def close(self) -> None:
        session, self._session, self._client = self._session, None, None
        if session is not None:
            await session.close()

    def slot(self) -> AbstractAsyncContextManager[SlackChannel]:
        return self._slots.hold()

    async def _ready(self) -> AsyncWebClient:
        if self._client is None:
            await self.open()
        assert self._client is not None
        return self._client

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        message = _slack_message(payload)
        client = await self._ready()
        try:
            response = await client.chat_postMessage(
                channel=target,
                text=message.text,
                blocks=list(message.blocks),
                thread_ts=reply_to,
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as exc:
            raise map_slack_error(exc) from exc
        return str(response["ts"])

    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        """chat.update of the post (parent or thread reply) whose ts is `message_id`."""
        message = _slack_message(payload)
        client = await self._ready()
        try:
            await client.chat_update(
                channel=target, ts=message_id, text=message.text, blocks=list(message.blocks)
            )
        except Exception as exc:
            raise map_slack_error(exc) from exc

    async def delete(self, target: str, message_id: str) -> None:
        """chat.delete; a post already gone counts as deleted."""
        client = await self._ready()
        try:
            await client.chat_delete(channel=target, ts=message_id)
        except Exception as exc:
            error = map_slack_error(exc)
            if isinstance(error, MessageGone):
                return
            raise error from exc


def _slack_message(payload: Payload) -> SlackMessage:
    if not isinstance(payload, SlackMessage):
        raise TypeError(f"SlackChannel cannot send {type(payload).__name__}")
    return payload


__all__ = ["DEFAULT_BASE_URL", "SlackChannel", "map_slack_error"]
