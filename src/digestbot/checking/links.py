"""`check --links`: does every source URL answer? HEAD first (cheap), GET when a server
refuses HEAD or answers it with an error; short timeouts, a bounded number at once, each
URL once. Only the status line is read, never a body."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from digestbot.parsing import CitedSource
from digestbot.readiness import Problem, Severity

LINK = "link"
DEFAULT_TIMEOUT = 5.0
DEFAULT_CONCURRENCY = 8
_HEADERS = {"User-Agent": "digestbot-check/1 (link check before publishing)"}


@dataclass(frozen=True, slots=True)
class LinkResult:
    cited: CitedSource
    status: int | None  # the final status after redirects; None when there was no answer
    problem: str | None  # None when the link works

    def finding(self) -> Problem | None:
        if self.problem is None:
            return None
        return Problem(
            f"{self.cited.who}: {self.cited.source.url} {self.problem}",
            line=self.cited.line,
            kind=LINK,
            severity=Severity.WARNING,
        )


async def check_links(
    cited: Sequence[CitedSource],
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = DEFAULT_CONCURRENCY,
    client: httpx.AsyncClient | None = None,
) -> list[LinkResult]:
    """One result per distinct URL (at its first citation), in the issue's order."""
    first: dict[str, CitedSource] = {}
    for c in cited:
        if c.source.url:
            first.setdefault(c.source.url, c)
    gate = asyncio.Semaphore(concurrency)
    own = client is None
    http = client or httpx.AsyncClient(
        timeout=request_timeout, follow_redirects=True, headers=_HEADERS
    )

    async def one(c: CitedSource) -> LinkResult:
        async with gate:
            return await _probe(http, c, request_timeout)

    try:
        return list(await asyncio.gather(*(one(c) for c in first.values())))
    finally:
        if own:
            await http.aclose()


async def _probe(http: httpx.AsyncClient, cited: CitedSource, seconds: float) -> LinkResult:
    url = cited.source.url
    try:
        status = (await http.head(url, timeout=seconds)).status_code
        if status >= 400:  # some servers refuse HEAD (405) or mishandle it: ask as a reader
            async with http.stream("GET", url, timeout=seconds) as response:
                status = response.status_code
    except httpx.TimeoutException:
        return LinkResult(cited, None, f"gave no answer within {seconds:g} s")
    except httpx.TooManyRedirects:
        return LinkResult(cited, None, "redirects in a loop")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return LinkResult(cited, None, "is not a URL a browser can open")
    except httpx.HTTPError as exc:
        return LinkResult(cited, None, f"is unreachable ({type(exc).__name__})")
    if status >= 400:
        return LinkResult(cited, status, f"answered HTTP {status}")
    return LinkResult(cited, status, None)


__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_TIMEOUT", "LINK", "LinkResult", "check_links"]
