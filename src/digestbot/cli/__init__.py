"""`digestbot` command line. Each command lives in its own module, registers on `app`, and is
imported only when it runs (`commands.COMMANDS` says which module defines which command)."""

from __future__ import annotations

from digestbot.cli import startup_gc
from digestbot.cli.app import app


def main() -> None:
    startup_gc.hold()  # resumed once the command is loaded (app's callback)
    try:
        app()
    finally:
        startup_gc.at_exit()


__all__ = ["app", "main"]
