"""`digestbot healthcheck`: asks a running `digestbot run` (same config, same overrides) whether
it is well, for Docker's HEALTHCHECK, systemd or a monitor.

Exit codes: 0 healthy; 1 unhealthy (the HTTP server does not answer, or the scheduler stopped
ticking); 2 the config cannot be loaded; 3 the store is unavailable to the service."""

from __future__ import annotations

from typing import Annotated

import typer

from digestbot.cli.app import EXIT_STORE_UNAVAILABLE, app, fail, state
from digestbot.config import ConfigError, load_server_config
from digestbot.server import Verdict, healthz_url, probe

EXIT_CODES = {
    Verdict.HEALTHY: 0,
    Verdict.UNHEALTHY: 1,
    Verdict.STORE_UNAVAILABLE: EXIT_STORE_UNAVAILABLE,
}


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
    health, reason = probe(healthz_url(server.host, server.port), timeout)
    if health is not Verdict.HEALTHY:
        fail(f"unhealthy: {reason}", EXIT_CODES[health])
    typer.echo(f"healthy: {reason}")


__all__ = ["healthcheck_command"]
