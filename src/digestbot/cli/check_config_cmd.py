"""`digestbot check-config`: every problem with the config file, one line each, or "config OK";
with --online, whether each provider accepts its credentials too."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from digestbot.cli.app import app, state
from digestbot.cli.logs import setup_logging
from digestbot.config import check_config, load_config


@app.command("check-config")
def check_config_command(
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also log in to each provider (Telegram getMe, Slack auth.test, SMTP EHLO + "
            "STARTTLS/AUTH) and say which one fails and why.",
        ),
    ] = False,
) -> None:
    """Validate the config file, reach the store and the folders it names.

    Prints one line per problem (with its key path) and exits 1, or prints a summary of the
    enabled channels and exits 0. Secrets are never printed."""
    problems = check_config(state.config_path)
    if problems:
        # Plain echo, not rich: key paths like `targets[2]` must not be read as markup.
        for line in problems:
            typer.echo(line)
        raise typer.Exit(1)
    config = load_config(state.config_path)
    if online:
        setup_logging()
        from digestbot.delivery.probe import probe_all  # the provider clients, only when asked

        results = asyncio.run(probe_all(config))
        for result in results:
            typer.echo(result.line)
        if any(result.error is not None for result in results):
            raise typer.Exit(1)
    typer.echo(f"config OK: {config.summary()}")
