"""`digestbot run`: the always-on service (schedule, bot, HTTP server)."""

from __future__ import annotations

import asyncio
import logging

from digestbot.cli.app import app, fail
from digestbot.cli.common import config_or_exit, setup_logging
from digestbot.cli.stores import store_or_exit
from digestbot.server import PortUnavailable
from digestbot.service import Service


@app.command("run")
def run_command() -> None:
    """Run unattended: publish each day's issue when it appears, answer /today, serve the
    Slack command, unsubscribe pages, /healthz and /metrics. Stops cleanly on SIGTERM."""
    setup_logging(logging.INFO)
    config = config_or_exit(
        runtime_checks=True, refusal="not starting (see `digestbot check-config`)"
    )
    store = store_or_exit(config)
    try:
        asyncio.run(Service(config, store).run())  # the server logs its own address, once
    except PortUnavailable as exc:
        fail(f"{exc}; not starting")
    finally:
        store.close()
