"""`digestbot run`: the always-on service (schedule, bot, HTTP server)."""

from __future__ import annotations

import asyncio
import logging
import sys

import typer

from digestbot.cli.app import app, state
from digestbot.cli.common import config_or_exit, setup_logging, store_or_exit
from digestbot.config import check_config
from digestbot.service import Service


@app.command("run")
def run_command() -> None:
    """Run unattended: publish each day's issue when it appears, answer /today, serve the
    Slack command, unsubscribe pages, /healthz and /metrics. Stops cleanly on SIGTERM."""
    setup_logging(logging.INFO)
    problems = check_config(state.config_path)
    if problems:
        for line in problems:
            print(f"digestbot: config: {line}", file=sys.stderr)
        print("digestbot: not starting (see `digestbot check-config`)", file=sys.stderr)
        raise typer.Exit(2)
    config = config_or_exit()
    store = store_or_exit(config)
    try:
        asyncio.run(Service(config, store).run(on_ready=_ready))
    finally:
        store.close()


def _ready(host: str, port: int) -> None:
    logging.getLogger("digestbot.service").info("HTTP server on http://%s:%d", host, port)
