"""`digestbot healthcheck`: asks a running `digestbot run` (same config, same overrides) whether
it is well, for Docker's HEALTHCHECK, systemd or a monitor.

Exit codes: 0 healthy; 1 unhealthy (the HTTP server does not answer, or the scheduler stopped
ticking); 2 the config cannot be loaded; 3 the store is unavailable to the service."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import httpx
import typer

from digestbot.cli.app import EXIT_STORE_UNAVAILABLE, app, fail, state
from digestbot.config import ConfigError, ServerConfig, load_server_config

HEALTHY, UNHEALTHY = 0, 1
# A server bound to every address is asked on loopback: that address always reaches it.
_LOOPBACK = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


def healthz_url(server: ServerConfig) -> str:
    """Where `digestbot run` with this `[server]` answers `/healthz` from the same machine."""
    host = _LOOPBACK.get(server.host, server.host)
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{server.port}/healthz"


def verdict(status_code: int, body: Any) -> tuple[int, str]:
    """The exit code and the one line saying why, from what `/healthz` answered."""
    if not isinstance(body, dict) or "status" not in body:
        return UNHEALTHY, f"unexpected answer (HTTP {status_code}): not digestbot's /healthz"
    if body.get("store") != "ok":
        return EXIT_STORE_UNAVAILABLE, "the store is unavailable to the service"
    scheduler = body.get("scheduler")
    if not isinstance(scheduler, dict):
        return UNHEALTHY, "no scheduler reported: is this `digestbot run`?"
    age, limit = _seconds(scheduler.get("age_seconds")), _seconds(scheduler.get("max_age_seconds"))
    if scheduler.get("status") != "ok":
        return UNHEALTHY, f"the scheduler has not ticked for {age} s (limit {limit} s)"
    if status_code != 200 or body["status"] != "ok":
        return UNHEALTHY, f"HTTP {status_code}, status {body['status']!r}"
    return HEALTHY, f"store ok, scheduler ticked {age} s ago"


def _seconds(value: Any) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) else "?"


@app.command("healthcheck")
def healthcheck_command(
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the server's answer.")
    ] = 8.0,
) -> None:
    """Check that `digestbot run` is healthy: its HTTP server answers on the configured host
    and port, its store answers, its scheduler ticks.

    Exit 0 healthy, 1 unhealthy, 2 bad config, 3 store unavailable. Docker's HEALTHCHECK
    calls this; DIGESTBOT_SERVER_HOST/PORT apply as they do to `run`. Only `[server]` is
    read, so the secrets the rest of the config names need not be at hand."""
    try:
        server = load_server_config(state.config_path)
    except ConfigError as exc:
        fail("; ".join(exc.problems))
    url = healthz_url(server)
    try:
        # trust_env=False: a proxy configured for the outside must not stand between us.
        response = httpx.get(url, timeout=timeout, trust_env=False)
        body = response.json()
    except httpx.HTTPError as exc:
        fail(f"unhealthy: no answer from {url}: {type(exc).__name__}", UNHEALTHY)
    except ValueError:
        fail(f"unhealthy: {url} answered HTTP {response.status_code} without JSON", UNHEALTHY)
    code, reason = verdict(response.status_code, body)
    if code != HEALTHY:
        fail(f"unhealthy: {url}: {reason}", code)
    typer.echo(f"healthy: {url}: {reason}")


__all__ = ["healthcheck_command", "healthz_url", "verdict"]
