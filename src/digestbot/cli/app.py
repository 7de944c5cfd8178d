"""The typer application and what every command shares: --config, --log-format, error exits."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from digestbot.cli import logs
from digestbot.cli.exits import EXIT_STORE_UNAVAILABLE, fail
from digestbot.cli.help import PlainHelpGroup
from digestbot.cli.logs import LogFormat

app = typer.Typer(
    name="digestbot",
    help="Parse the daily AI 前沿发展日报 and deliver it to Telegram, Slack and email.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # tracebacks could print secrets held in locals
    cls=PlainHelpGroup,
)

# Progress and tables go to stderr so stdout stays clean for --json consumers.
console = Console(stderr=True)
out = Console(soft_wrap=True)

DEFAULT_CONFIG = Path("config/digestbot.toml")


class State:
    config_path: Path = DEFAULT_CONFIG


state = State()


@app.callback()
def _global_options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="FILE",
            help="Config TOML file (env DIGESTBOT_CONFIG; default config/digestbot.toml).",
        ),
    ] = None,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            envvar="DIGESTBOT_LOG_FORMAT",
            help="Log lines as text, or as one JSON object per line for log shippers.",
        ),
    ] = LogFormat.TEXT,
) -> None:
    logs.settings.format = log_format
    if config is not None:
        state.config_path = config
    elif env := os.environ.get("DIGESTBOT_CONFIG"):
        state.config_path = Path(env)


__all__ = ["DEFAULT_CONFIG", "EXIT_STORE_UNAVAILABLE", "app", "console", "fail", "out", "state"]
