"""python-telegram-bot's HTTP requests over aiohttp.

PTB's own HTTPXRequest spends more CPU in httpcore's pool bookkeeping (it grows with the
requests in flight) than the rest of a send; at a paid broadcast's 1,000/s that was a fifth of
the process. This `BaseRequest` keeps PTB's contract (PTB still builds every request and
turns every answer into its exceptions) and carries the bytes with aiohttp: JSON bodies, a
connector bounded to the pool size, and separate connect and read timeouts, because whether a
request can have left decides between "try again" and "uncertain"."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json", "User-Agent": BaseRequest.USER_AGENT}
_FORM = {"User-Agent": BaseRequest.USER_AGENT}


# RequestData is final to type checkers only: a subclass is how a body PTB did not build
# travels through PTB's status handling (`post_body`) to `do_request`.
class JsonBody(RequestData):  # type: ignore[misc]
    """A request whose JSON body is already encoded: the fan-out sends one part to thousands
    of chats, and builds its body once (`telegram_bodies`) instead of letting PTB build and
    encode the same parameters for every chat."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body


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


class AiohttpRequest(BaseRequest):
    """One aiohttp session and connector (`connection_pool_size` connections) for a Bot."""

    __slots__ = ("_connect", "_default_timeout", "_pool", "_pool_size", "_read", "_session")

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._default_timeout: aiohttp.ClientTimeout | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            # No cookies, no proxy lookups from the environment: each request is the same.
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _timeout(self, read: object, connect: object, pool: object) -> aiohttp.ClientTimeout:
        default = BaseRequest.DEFAULT_NONE
        if read is default and connect is default and pool is default:
            if self._default_timeout is None:  # every fan-out send: built once
                self._default_timeout = self._timeout_of(read, connect, pool)
            return self._default_timeout
        return self._timeout_of(read, connect, pool)

    def _timeout_of(self, read: object, connect: object, pool: object) -> aiohttp.ClientTimeout:
        connect_s = _seconds(connect, self._connect)
        pool_s = _seconds(pool, self._pool)
        waiting = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(
            total=None,
            connect=waiting,  # a free connection, then the TCP connect: nothing has left yet
            sock_connect=connect_s,
            sock_read=_seconds(read, self._read),
        )

    async def post_body(self, url: str, body: bytes) -> bytes:
        """POST a ready JSON body; the answer's bytes. Any status but 2xx raises what PTB's
        own methods raise for it (RetryAfter, Forbidden, BadRequest, ...): PTB's status
        handling (`_request_wrapper`, the one behind every Bot call) judges the answer."""
        return await self._request_wrapper(url, "POST", JsonBody(body))

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
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=self._timeout(read_timeout, connect_timeout, pool_timeout),
            ) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts subclass it
            raise TimedOut(f"aiohttp.{type(err).__name__}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}") from err
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise ServerAnswered(status, _description(payload) or HTTPStatus(status).phrase)
        return status, payload


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str]]:
    """JSON for plain parameters (as compact as the Bot API accepts: UTF-8, not \\u escapes),
    multipart when PTB has files to upload."""
    if request_data is None:
        return None, _FORM
    if isinstance(request_data, JsonBody):
        return request_data.body, _JSON
    if not request_data.contains_files:
        text = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
        return text.encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, _FORM


__all__ = ["AiohttpRequest", "JsonBody", "ServerAnswered"]
