"""The cyclic garbage collector held off while a command starts, and skipped at exit.

Starting a command imports hundreds of modules (SQLAlchemy, python-telegram-bot, pydantic,
aiohttp): some hundred thousand objects that live until the process ends. With the collector
on, allocating them triggers full collections that walk all of them again and again, and the
interpreter's exit walks them once more. Measured on `publish` to 200 chats (benchmarks/
startup.py): the first send 0.09 s sooner, and the exit after the last send 0.05 s instead of
0.28 s, with no garbage to find in either. So the collector stays off until the command is
loaded, then what exists is frozen (moved where collections never look, gc.freeze) and
collection resumes for the command's own work; at exit everything is frozen again.

Only the `digestbot` entry point holds it: a caller embedding the app (tests, CliRunner)
keeps its collector as it is."""

from __future__ import annotations

import gc


class _State:
    held = False


def hold() -> None:
    """Before the imports of a starting command."""
    _State.held = gc.isenabled()
    gc.disable()


def resume() -> None:
    """The command is loaded: what exists now lives until the end; collect only newer objects."""
    if _State.held:
        _State.held = False
        gc.freeze()
        gc.enable()


def at_exit() -> None:
    """The process ends now: what it frees no longer matters, so the exit skips the walk."""
    _State.held = False
    gc.freeze()


__all__ = ["at_exit", "hold", "resume"]
