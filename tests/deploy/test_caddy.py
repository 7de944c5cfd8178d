"""deploy/Caddyfile in a real Caddy in front of the real digestbot app: over HTTPS, Slack's
signed slash command and /healthz reach digestbot unchanged, /metrics does not."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from digestbot.server import serve
from tests.conftest import REPO
from tests.deploy.tools import required_tool
from tests.fakes._server import free_port
from tests.fakes.slack_server import SlackFake
from tests.server.harness import AppEnv, command_body, slack_headers

CADDYFILE = REPO / "deploy" / "Caddyfile"


@pytest.fixture
async def digestbot_port(app_env: AppEnv) -> AsyncIterator[int]:
    async with app_env.client():
        pass
    port = free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(app_env.apps[-1], "127.0.0.1", port, stop, on_ready=lambda *_: ready.set())
    )
    await asyncio.wait_for(ready.wait(), 20)
    yield port
    stop.set()
    await asyncio.wait_for(task, 20)


@pytest.fixture
async def caddy_https(tmp_path: Path, digestbot_port: int) -> AsyncIterator[str]:
    """Caddy running the shipped site block; only what a test machine needs differs: its own
    ports, a local CA instead of Let's Encrypt (never installed into the system's trust),
    and digestbot's address instead of the compose service name."""
    https_port, http_port = free_port(), free_port()
    site = CADDYFILE.read_text(encoding="utf-8")
    assert "reverse_proxy digestbot:8080" in site
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n"
        + site.replace("digestbot:8080", f"127.0.0.1:{digestbot_port}"),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "DIGESTBOT_DOMAIN": "localhost",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    log = (tmp_path / "caddy.log").open("wb")
    caddy = subprocess.Popen(
        [required_tool("caddy", "caddy"), "run", "--config", str(config), "--adapter", "caddyfile"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"https://localhost:{https_port}"
    try:
        async with httpx.AsyncClient(verify=False, trust_env=False) as client:
            for _ in range(300):
                assert caddy.poll() is None, (tmp_path / "caddy.log").read_text()
                try:
                    await client.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield base
    finally:
        caddy.terminate()
        caddy.wait(timeout=30)
        log.close()


async def test_slack_and_health_reach_digestbot_through_caddy_and_metrics_do_not(
    caddy_https: str, slack_fake: SlackFake, app_env: AppEnv
) -> None:
    body = command_body("top3", slack_fake.response_url("via-caddy"))
    async with httpx.AsyncClient(verify=False, trust_env=False, timeout=20) as client:
        health = await client.get(f"{caddy_https}/healthz")
        slash = await client.post(
            f"{caddy_https}/slack/commands", content=body, headers=slack_headers(body)
        )
        forged = await client.post(
            f"{caddy_https}/slack/commands", content=body, headers=slack_headers(body, "wrong")
        )
        metrics = await client.get(f"{caddy_https}/metrics")
    assert health.status_code == 200 and health.json()["store"] == "ok"
    # The signature is over the exact bytes Slack sent: Caddy must pass them through.
    assert slash.status_code == 200
    assert forged.status_code == 401
    assert metrics.status_code == 404
    assert "digestbot_" not in metrics.text
    await app_env.settle()
    assert slack_fake.responses  # the reply went to Slack's response_url
