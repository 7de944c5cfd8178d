"""`digestbot` command line. Each command lives in its own module, registers on `app`, and is
imported only when it runs (`commands.COMMANDS` says which module defines which command)."""

from __future__ import annotations

import sys

from digestbot.cli import startup_gc
from digestbot.cli.app import app


def _print_crash(exc: BaseException) -> None:
    """The traceback Python would print for `exc`, registered secrets and token shapes
    redacted. Its chained causes are often provider texts, which may quote a token or a
    password; the log-record factory redacts tracebacks that are logged, this one the crash
    that ends the command. (Not a sys.excepthook: typer replaces that on every call.)"""
    import traceback

    from digestbot.channels.redact import redact

    sys.stderr.write(redact("".join(traceback.format_exception(exc))))


def main() -> None:
    startup_gc.hold()  # resumed once the command is loaded (app's callback)
    try:
        app()
    except Exception as exc:
        _print_crash(exc)
        raise SystemExit(1) from None
    finally:
        startup_gc.at_exit()


__all__ = ["app", "main"]
