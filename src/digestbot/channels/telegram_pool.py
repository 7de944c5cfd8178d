"""A Telegram bot's HTTP connections, without python-telegram-bot.

A broadcast's sends need nothing of PTB when Telegram accepts them: the body is built here
(`telegram_bodies`) and a 2xx answer is all there is to read. PTB (about a third of a second of
imports, before `publish` could send its first message) is loaded only when an answer is not
2xx or the request failed; it then judges that answer exactly as for any Bot call
(`telegram_http.judged`). PTB's own requests (`telegram_http.AiohttpRequest`) travel over the
same connections, so the pool bounds them all."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import aiohttp

# PTB's BaseRequest.USER_AGENT, without importing PTB (tests/channels check they agree).
USER_AGENT = (
    f"python-telegram-bot v{version('python-telegram-bot')} (https://python-telegram-bot.org)"
)
JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
FORM_HEADERS = {"User-Agent": USER_AGENT}


def client_timeout(
    connect: float | None, pool: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """Separate connect and read timeouts, because whether a request can have left decides
    between "try again" and "uncertain"."""
    waiting = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(
        total=None,
        connect=waiting,  # a free connection, then the TCP connect: nothing has left yet
        sock_connect=connect,
        sock_read=read,
    )


class BotConnections:
    """One aiohttp session and connector (`size` connections) for a bot, and its timeouts."""

    __slots__ = (
        "_default_timeout",
        "_session",
        "connect_timeout",
        "pool_timeout",
        "read_timeout",
        "size",
    )

    def __init__(
        self,
        size: int = 1,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self.size = size
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._default_timeout: aiohttp.ClientTimeout | None = None

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.size, limit_per_host=0)
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

    def default_timeout(self) -> aiohttp.ClientTimeout:
        if self._default_timeout is None:  # every fan-out send: built once
            self._default_timeout = client_timeout(
                self.connect_timeout, self.pool_timeout, self.read_timeout
            )
        return self._default_timeout

    async def exchange(
        self,
        method: str,
        url: str,
        body: Any,
        headers: dict[str, str],
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        """One request: the answer's status and bytes. aiohttp's failures pass through."""
        if self._session is None or self._session.closed:
            raise RuntimeError("These BotConnections are not initialized: call initialize()")
        async with self._session.request(
            method, url, data=body, headers=headers, timeout=limits
        ) as response:
            return response.status, await response.read()

    async def post_json(self, url: str, body: bytes) -> bytes:
        """POST a ready JSON body; the answer's bytes. Any status but 2xx, or a request that
        failed, raises what PTB's own methods raise for it (RetryAfter, Forbidden,
        BadRequest, TimedOut, ...)."""
        answer: tuple[int, bytes] | Exception
        try:
            answer = await self.exchange("POST", url, body, JSON_HEADERS, self.default_timeout())
        except Exception as exc:  # judged below, by PTB, as if it had made the request
            answer = exc
        else:
            if 200 <= answer[0] <= 299:  # PTB's test for success
                return answer[1]
        from digestbot.channels.telegram_http import judged  # PTB, only now: something failed

        return await judged(url, answer)


__all__ = ["FORM_HEADERS", "JSON_HEADERS", "USER_AGENT", "BotConnections", "client_timeout"]
