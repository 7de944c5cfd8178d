"""How a command gives up on bad input: one clear line on stderr and an exit code."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

# DESIGN.md's exit codes: 0 done, 1 failed or uncertain, 2 bad input or config (fail's
# default), 3 the store is unavailable.
EXIT_STORE_UNAVAILABLE = 3


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit: no traceback for operator mistakes."""
    print(f"digestbot: error: {message}", file=sys.stderr)
    raise typer.Exit(code)


__all__ = ["EXIT_STORE_UNAVAILABLE", "fail"]
