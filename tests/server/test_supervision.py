"""The HTTP server supervised: slow clients are cut off (raw sockets speaking HTTP one byte at
a time), /metrics can ask for a bearer token or live on a listener of its own, and a port
already taken stops `digestbot run` with one line."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from digestbot.rendering import Renderer
from digestbot.server import Deadlines, Metrics, bind, build_app, serve
from digestbot.store import Store, open_store
from tests.delivery.harness import write_config
from tests.fakes._server import free_port
from tests.processes import start
from tests.server.harness import FixedIssues
from tests.server.test_health_metrics import samples
from tests.service.test_run_process import wait_for

DEADLINES = Deadlines(header=0.5, body=0.5)
# Far longer than the deadlines, short enough for a test: under load the cut may come late,
# but never this late, and a server without deadlines never cuts at all.
PATIENCE = 8.0
METRICS_TOKEN = "metrics-bearer-token-for-tests-7Hq"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'digestbot.db'}")
    yield opened  # type: ignore[misc]
    opened.close()


@contextlib.asynccontextmanager
async def served(store: Store, **app_options: object) -> AsyncIterator[int]:
    app = build_app(
        store=store,
        renderer=Renderer(),
        issues=FixedIssues(None),
        slack_signing_secret="slack-signing-secret-for-tests",
        unsubscribe_secret=None,
        metrics=Metrics(),
        **app_options,  # type: ignore[arg-type]
    )
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(
            app,
            "127.0.0.1",
            0,
            stop,
            deadlines=DEADLINES,
            on_ready=lambda _h, port: ready.set_result(port),
        )
    )
    try:
        yield await asyncio.wait_for(ready, 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def seconds_until_cut(port: int, opening: bytes, trickle: bytes) -> float:
    """Send `opening`, then `trickle` one byte per 0.1 s; how long until the server closed
    the connection (PATIENCE + 1 when it never did)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    try:
        if opening:
            writer.write(opening)
        for byte in trickle:
            try:
                if await asyncio.wait_for(reader.read(1024), 0.1) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                pass
            except ConnectionError:
                return time.monotonic() - started
            if time.monotonic() - started > PATIENCE:
                break
            with contextlib.suppress(ConnectionError):
                writer.write(bytes([byte]))
                await writer.drain()
        return PATIENCE + 1
    finally:
        writer.close()


SLOW_HEADERS = b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"


async def test_headers_sent_slowly_are_cut_and_the_server_keeps_serving(store: Store) -> None:
    async with served(store) as port:
        taken = await seconds_until_cut(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", SLOW_HEADERS)
        assert taken < PATIENCE, "a client trickling its headers must be cut off"
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200


async def test_a_connection_that_sends_nothing_is_closed(store: Store) -> None:
    async with served(store) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            closed = await asyncio.wait_for(reader.read(1), PATIENCE)
        finally:
            writer.close()
    assert closed == b""


async def test_a_body_sent_slowly_is_cut(store: Store) -> None:
    head = (
        b"POST /slack/commands HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\n"
    )
    async with served(store) as port:
        taken = await seconds_until_cut(port, head, b"t" * 400)
    assert taken < PATIENCE, "a client trickling its body must be cut off"


async def test_keep_alive_requests_still_work_one_after_another(store: Store) -> None:
    async with served(store) as port, httpx.AsyncClient() as client:
        for _ in range(3):
            response = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert response.status_code == 200
            await asyncio.sleep(DEADLINES.header + 0.2)  # idle longer than a head may take
        response = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200


async def test_metrics_with_a_token_answer_only_the_bearer(store: Store) -> None:
    async with served(store, metrics_token=METRICS_TOKEN) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/metrics"
        refused = await client.get(url)
        wrong = await client.get(url, headers={"Authorization": "Bearer nope"})
        allowed = await client.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert refused.status_code == 401 and wrong.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert b"digestbot_" not in refused.content
    assert allowed.status_code == 200
    assert ("digestbot_active_subscribers", (("channel", "email"),)) in samples(allowed.text)


def _run_config(tmp_path: Path, server: str) -> Path:
    (tmp_path / "issues").mkdir(exist_ok=True)
    config = write_config(tmp_path, store_url=f"sqlite:///{tmp_path}/ledger.db")
    config.write_text(config.read_text() + f"\n[server]\n{server}\n")
    return config


def _run(config: Path, log: Path) -> subprocess.Popen[bytes]:
    return start(config, "run", stderr=log.open("ab"), env={"METRICS_TOKEN": METRICS_TOKEN})


@pytest.mark.parametrize("taken_key", ["port", "metrics_port"])
def test_a_port_in_use_stops_run_with_one_line(tmp_path: Path, taken_key: str) -> None:
    with bind("127.0.0.1", 0) as taken:
        busy = taken.getsockname()[1]
        ports = {"port": free_port(), "metrics_port": free_port(), taken_key: busy}
        config = _run_config(
            tmp_path, "\n".join(f"{key} = {value}" for key, value in ports.items())
        )
        log = tmp_path / "run.log"
        process = _run(config, log)
        try:
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    output = log.read_text()
    assert code == 2, output
    errors = [line for line in output.splitlines() if line.startswith("digestbot: error:")]
    assert errors == [
        f"digestbot: error: server.{taken_key}: cannot listen on 127.0.0.1:{busy}: "
        "address already in use (another digestbot run, or another server?); not starting"
    ]
    assert "Traceback" not in output


def test_run_serves_metrics_on_its_own_port_behind_the_token(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    config = _run_config(
        tmp_path,
        f'port = {port}\nmetrics_port = {metrics_port}\nmetrics_token = "${{METRICS_TOKEN}}"',
    )
    log = tmp_path / "run.log"
    process = _run(config, log)
    try:
        base = f"http://127.0.0.1:{metrics_port}/metrics"

        def scraped() -> bool:
            try:
                answer = httpx.get(base, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            except httpx.TransportError:
                return False
            return answer.status_code == 200

        wait_for(scraped, 60, "the metrics listener")
        assert httpx.get(base).status_code == 401
        public = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert public.status_code == 404, "the public port no longer serves /metrics"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert METRICS_TOKEN not in log.read_text()
