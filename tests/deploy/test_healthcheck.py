"""`digestbot healthcheck` asks the real HTTP server on the configured host and port (loopback
when bound to every address) and turns its `/healthz` into the documented exit codes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.server import Heartbeat, healthz_url, serve
from tests.fakes._server import free_port
from tests.server.harness import AppEnv, ManualClock


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080/healthz"),
        ("::", "http://[::1]:8080/healthz"),
        ("127.0.0.1", "http://127.0.0.1:8080/healthz"),
        ("::1", "http://[::1]:8080/healthz"),
        ("10.1.2.3", "http://10.1.2.3:8080/healthz"),
        ("localhost", "http://localhost:8080/healthz"),
    ],
)
def test_the_server_is_asked_where_it_listens(host: str, url: str) -> None:
    assert healthz_url(host, 8080) == url


def _config(tmp_path: Path, port: int, host: str = "0.0.0.0") -> Path:
    # The token's variable is unset here, as in a shell on the host of a systemd service:
    # the healthcheck reads only [server] and must not need it.
    path = tmp_path / "digestbot.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
        '[telegram]\ntoken = "${HEALTHCHECK_TEST_UNSET_TOKEN}"\n'
        f'[server]\nhost = "{host}"\nport = {port}\n',
        encoding="utf-8",
    )
    return path


async def _healthcheck(config: Path, env: dict[str, str] | None = None) -> Result:
    # In a thread: the server under test runs on this test's event loop.
    args = ["--config", str(config), "healthcheck", "--timeout", "20"]
    return await asyncio.to_thread(CliRunner().invoke, app, args, env=env)


@asynccontextmanager
async def _serving(
    app_env: AppEnv, port: int, heartbeat: Heartbeat, store_ok: bool = True
) -> AsyncIterator[None]:
    async with app_env.client(heartbeat=heartbeat, health=lambda: store_ok):
        pass
    stop = asyncio.Event()
    ready = asyncio.Event()
    task = asyncio.create_task(
        serve(app_env.apps[-1], "0.0.0.0", port, stop, on_ready=lambda *_: ready.set())
    )
    await asyncio.wait_for(ready.wait(), 20)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_healthy_service_on_every_address_answers_on_loopback_exit_0(
    app_env: AppEnv, tmp_path: Path
) -> None:
    port = free_port()
    heartbeat = Heartbeat()
    await heartbeat.beat()
    async with _serving(app_env, port, heartbeat):
        result = await _healthcheck(_config(tmp_path, port))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"healthy: http://127.0.0.1:{port}/healthz: store ok")


async def test_a_stale_scheduler_is_unhealthy_exit_1(app_env: AppEnv, tmp_path: Path) -> None:
    port = free_port()
    clock = ManualClock()
    heartbeat = Heartbeat(every=30, clock=clock)
    await heartbeat.beat()
    clock.now += 600
    async with _serving(app_env, port, heartbeat):
        result = await _healthcheck(_config(tmp_path, port))
    assert result.exit_code == 1
    assert "unhealthy" in result.output
    assert "the scheduler has not ticked for 600 s (limit 90 s)" in result.output


async def test_a_store_the_service_cannot_reach_is_exit_3(
    app_env: AppEnv, tmp_path: Path
) -> None:
    port = free_port()
    heartbeat = Heartbeat()
    async with _serving(app_env, port, heartbeat, store_ok=False):
        result = await _healthcheck(_config(tmp_path, port))
    assert result.exit_code == 3
    assert "the store is unavailable to the service" in result.output


async def test_the_port_follows_the_same_override_as_run(
    app_env: AppEnv, tmp_path: Path
) -> None:
    port = free_port()
    heartbeat = Heartbeat()
    async with _serving(app_env, port, heartbeat):
        # The file says 1 (nothing there); the environment says where the server is.
        result = await _healthcheck(
            _config(tmp_path, 1), env={"DIGESTBOT_SERVER_PORT": str(port)}
        )
    assert result.exit_code == 0, result.output


async def test_nothing_listening_is_unhealthy_exit_1(tmp_path: Path) -> None:
    port = free_port()
    result = await _healthcheck(_config(tmp_path, port, host="127.0.0.1"))
    assert result.exit_code == 1
    assert f"unhealthy: no answer from http://127.0.0.1:{port}/healthz: ConnectError" in (
        result.output
    )


async def test_a_server_that_is_not_digestbot_is_unhealthy_exit_1(tmp_path: Path) -> None:
    async def not_digestbot(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_digestbot, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await _healthcheck(_config(tmp_path, port, host="127.0.0.1"))
    assert result.exit_code == 1
    assert "answered HTTP 200 without JSON" in result.output


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[server]\nport = 0\n", "server.port: must be greater than or equal to 1"),
        ("[server]\nhots = 1\n", "server.hots: unknown key"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_a_server_section_that_does_not_load_is_exit_2(
    tmp_path: Path, text: str, problem: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(bad), "healthcheck"])
    assert result.exit_code == 2
    assert result.output.startswith("digestbot: error: ") and problem in result.output


@pytest.mark.slow
def test_digestbot_run_in_a_process_is_healthy_until_it_stops(tmp_path: Path) -> None:
    """The real service, bound to every address through the image's override, and the
    healthcheck as Docker runs it: a separate process reading the same config."""
    port = free_port()
    (tmp_path / "issues").mkdir()
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
        f'[source]\npath = "{tmp_path}/issues"\n[outbox]\npath = "{tmp_path}/outbox"\n'
        '[telegram]\ntransport = "outbox"\ntargets = [{ chat_id = "1" }]\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "DIGESTBOT_CONFIG": str(config),
        "DIGESTBOT_SERVER_HOST": "0.0.0.0",
        "DIGESTBOT_SERVER_PORT": str(port),
    }

    def healthcheck() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "digestbot", "healthcheck"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    service = subprocess.Popen(
        [sys.executable, "-m", "digestbot", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "run.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 60
        while (checked := healthcheck()).returncode != 0:
            assert service.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, checked.stderr
            time.sleep(0.2)
        assert checked.stdout.startswith(f"healthy: http://127.0.0.1:{port}/healthz: store ok")
        body = httpx.get(f"http://127.0.0.1:{port}/healthz", trust_env=False).json()
        assert body["scheduler"]["last_tick"] is not None  # the heartbeat job has run
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=60) == 0
    finally:
        if service.poll() is None:
            service.kill()
    after = healthcheck()
    assert after.returncode == 1
    assert "no answer" in after.stderr
