"""`digestbot check-config`: every problem with the config file, one line each, or "config OK"."""

from __future__ import annotations

import typer

from digestbot.cli.app import app, state
from digestbot.config import check_config, load_config


@app.command("check-config")
def check_config_command() -> None:
    """Validate the config file, reach the store and the folders it names.

    Prints one line per problem (with its key path) and exits 1, or prints a summary of the
    enabled channels and exits 0. Secrets are never printed."""
    problems = check_config(state.config_path)
    if problems:
        # Plain echo, not rich: key paths like `targets[2]` must not be read as markup.
        for line in problems:
            typer.echo(line)
        raise typer.Exit(1)
    typer.echo(f"config OK: {load_config(state.config_path).summary()}")
