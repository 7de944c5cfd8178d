"""`digestbot` command line. Each command lives in its own module, registers on `app`, and is
imported only when it runs (`commands.COMMANDS` says which module defines which command)."""

from __future__ import annotations

from digestbot.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
