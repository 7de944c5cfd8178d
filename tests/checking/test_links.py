"""`check --links` against a local HTTP server only: statuses, HEAD refused, redirects,
timeouts, each URL once, and never more requests at once than allowed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from digestbot.checking.links import check_links
from digestbot.model import Source
from digestbot.parsing import CitedSource
from tests.checking.link_server import LinkServer, link_server


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with link_server() as running:
        yield running


def cite(*urls: str) -> list[CitedSource]:
    return [
        CitedSource(10 + i, f"event {i + 1}", Source(f"来源 {i}", url))
        for i, url in enumerate(urls)
    ]


async def test_statuses_are_reported_and_working_links_are_not(server: LinkServer) -> None:
    paths = ["/ok", "/gone", "/boom", "/no-head", "/moved", "/loop"]
    results = await check_links(cite(*(server.base + p for p in paths)), request_timeout=30)
    problems = {r.cited.source.url.removeprefix(server.base): r.problem for r in results}
    assert problems == {
        "/ok": None,
        "/gone": "answered HTTP 404",
        "/boom": "answered HTTP 500",
        "/no-head": None,  # HEAD refused with 405, GET answers
        "/moved": None,  # followed to /ok/landing
        "/loop": "redirects in a loop",
    }
    assert [r.status for r in results][:5] == [200, 404, 500, 200, 200]
    # HEAD first; GET only where HEAD was refused or failed.
    gets = sorted(p for m, p in server.requests if m == "GET")
    assert gets == ["/boom", "/gone", "/no-head"]


async def test_a_link_that_never_answers_is_a_timeout(server: LinkServer) -> None:
    (result,) = await check_links(cite(server.base + "/hang"), request_timeout=0.3)
    assert result.problem == "gave no answer within 0.3 s" and result.status is None
    finding = result.finding()
    assert finding is not None and finding.line == 10 and "event 1" in finding.message


async def test_an_unreachable_host_is_reported(server: LinkServer) -> None:
    port = server.server_address[1]
    server.shutdown()
    server.server_close()  # nothing listens on that port any more
    (result,) = await check_links(cite(f"http://127.0.0.1:{port}/ok"), request_timeout=5)
    assert result.problem is not None and result.problem.startswith("is unreachable")


async def test_each_url_once_and_at_most_the_concurrency_at_once(server: LinkServer) -> None:
    urls = [f"{server.base}/slow/{n}" for n in range(24)]
    results = await check_links(cite(*urls, *urls[:5]), request_timeout=30, concurrency=4)
    assert len(results) == 24 and all(r.problem is None for r in results)
    assert len(server.requests) == 24  # the five cited twice were asked once
    assert 1 <= server.most_in_flight <= 4
