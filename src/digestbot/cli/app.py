"""The typer application and what every command shares: --config, --log-format, error exits."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console
from typer.core import TyperCommand

from digestbot.cli import logs, startup_gc
from digestbot.cli.commands import COMMANDS
from digestbot.cli.exits import EXIT_STORE_UNAVAILABLE, fail
from digestbot.cli.help import PlainHelpGroup, PlainTyper
from digestbot.cli.logs import LogFormat


class LazyCommands(PlainHelpGroup):
    """The top-level group: it knows every command by name (`commands.COMMANDS`) and imports a
    command's module only when that command is looked up to run or to show its own help, so a
    command pays only for its own imports. The list in `digestbot --help` comes from the table
    and loads nothing."""

    _summaries_only = False  # while the top-level help is being written

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if self._summaries_only:
                return TyperCommand(cmd_name, short_help=COMMANDS[cmd_name].summary)
            self._load(cmd_name)
        return self.commands.get(cmd_name)

    def _load(self, cmd_name: str) -> None:
        importlib.import_module(f"digestbot.cli.{COMMANDS[cmd_name].module}")
        for name, command in typer.main.get_group(app).commands.items():
            self.commands.setdefault(name, command)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._summaries_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._summaries_only = False


app = PlainTyper(
    name="digestbot",
    help="Parse the daily AI 前沿发展日报 and deliver it to Telegram, Slack and email.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # tracebacks could print secrets held in locals
    cls=LazyCommands,
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
    startup_gc.resume()  # the command's module is loaded: collect the garbage it makes
    logs.settings.format = log_format
    # Set on every invocation: one that names no config must not inherit an earlier one's
    # (several invocations share this process in tests and embedding callers).
    env = os.environ.get("DIGESTBOT_CONFIG")
    state.config_path = config or (Path(env) if env else DEFAULT_CONFIG)


__all__ = ["DEFAULT_CONFIG", "EXIT_STORE_UNAVAILABLE", "app", "console", "fail", "out", "state"]
