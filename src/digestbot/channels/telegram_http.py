"""python-telegram-bot's HTTP requests over aiohttp.

PTB's own HTTPXRequest spends more CPU in httpcore's pool bookkeeping (it grows with the
requests in flight) than the rest of a send; at a paid broadcast's 1,000/s that was a fifth of
the process. This `BaseRequest` keeps PTB's contract (PTB builds the request and turns every
answer into its exceptions) and carries the bytes over a bot's `BotConnections`: JSON bodies,
a connector bounded to the pool size, and separate connect and read timeouts. `judged` gives
PTB an answer the connections already read (a fan-out send that was not 2xx)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from digestbot.channels.telegram_pool import (
    FORM_HEADERS,
    JSON_HEADERS,
    BotConnections,
    client_timeout,
)


class ServerAnswered(NetworkError):
    """Telegram answered with a 5xx. PTB would raise a NetworkError worded with Telegram's
    description alone; this one keeps the HTTP status too."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


def _description(payload: bytes) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return ""
    return str(body.get("description") or "") if isinstance(body, dict) else ""


def _seconds(value: object, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "the request's own default"; None means no limit."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return value if isinstance(value, int | float) or value is None else default


def _checked(answer: tuple[int, bytes] | Exception) -> tuple[int, bytes]:
    """A request's outcome as PTB's `do_request` reports it: aiohttp's failures as PTB's
    TimedOut and NetworkError (the cause says which), a 5xx as ServerAnswered."""
    if isinstance(answer, TimeoutError):  # aiohttp's timeouts subclass it
        raise TimedOut(f"aiohttp.{type(answer).__name__}") from answer
    if isinstance(answer, aiohttp.ClientError):
        raise NetworkError(f"aiohttp.{type(answer).__name__}") from answer
    if isinstance(answer, Exception):
        raise answer
    status, payload = answer
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise ServerAnswered(status, _description(payload) or HTTPStatus(status).phrase)
    return status, payload


class AiohttpRequest(BaseRequest):
    """PTB's requests for a Bot over `connections` (or its own, `connection_pool_size`)."""

    __slots__ = ("_connections",)

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        connections: BotConnections | None = None,
    ) -> None:
        self._connections = connections or BotConnections(
            connection_pool_size,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            pool_timeout=pool_timeout,
        )

    @property
    def read_timeout(self) -> float | None:
        return self._connections.read_timeout

    async def initialize(self) -> None:
        await self._connections.initialize()

    async def shutdown(self) -> None:
        await self._connections.shutdown()

    def _timeout(self, read: object, connect: object, pool: object) -> aiohttp.ClientTimeout:
        own = self._connections
        default = BaseRequest.DEFAULT_NONE
        if read is default and connect is default and pool is default:
            return own.default_timeout()
        return client_timeout(
            _seconds(connect, own.connect_timeout),
            _seconds(pool, own.pool_timeout),
            _seconds(read, own.read_timeout),
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See BaseRequest.do_request. aiohttp has no write timeout: a Bot API request is a
        few KB, written at once into the socket's buffer."""
        body, headers = _body(request_data)
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        try:
            answer: tuple[int, bytes] | Exception = await self._connections.exchange(
                method, url, body, headers, timeout
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            answer = exc
        return _checked(answer)


class _Replayed(BaseRequest):
    """A request already made (by `BotConnections.post_json`): PTB's status handling
    (`_request_wrapper`, the one behind every Bot call) judges its answer or failure as if
    this request had just made it."""

    __slots__ = ("_answer",)

    def __init__(self, answer: tuple[int, bytes] | Exception) -> None:
        self._answer = answer

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return _checked(self._answer)


async def judged(url: str, answer: tuple[int, bytes] | Exception) -> bytes:
    """What PTB makes of a POST's `answer` (status and bytes, or the exception it raised):
    the bytes when 2xx, else the exception any Bot call raises for it."""
    return await _Replayed(answer)._request_wrapper(url, "POST")


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str]]:
    """JSON for plain parameters (as compact as the Bot API accepts: UTF-8, not \\u escapes),
    multipart when PTB has files to upload."""
    if request_data is None:
        return None, FORM_HEADERS
    if not request_data.contains_files:
        text = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        return text.encode(), JSON_HEADERS
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, FORM_HEADERS


__all__ = ["AiohttpRequest", "ServerAnswered", "judged"]
