"""`--help` and usage errors that read like a well-kept CLI's, for every command: flags without
a value placeholder (typer prints `<bool>`), arguments named `FILE` in the usage line, help text
wrapped by the terminal rather than the docstring, and a wrong or missing value as one line on
stderr with exit 2, like every other bad input."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.exceptions import TyperException
from typer.models import CommandFunctionType

from digestbot.cli.exits import fail


def choices(values: type[enum.StrEnum]) -> str:
    """An option's placeholder listing its choices, e.g. `telegram|slack|email`."""
    return "|".join(member.value for member in values)


def _reflow(text: str | None) -> str | None:
    """Docstring paragraphs as single lines, so the terminal (not the source file's line
    breaks) decides where help text wraps."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


# Context and Parameter below are typer's vendored click types (typer._click): `Any` keeps this
# module off typer's private package.
class _PlainHelp:
    """Help that reads like a well-kept CLI's: a flag shows no value placeholder (typer would
    print `<bool>`), text wraps where the terminal ends, and a wrong value or a missing option
    is one line on stderr and exit 2, like every other bad input."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _reflow(self.help)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            result: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
        except TyperException as exc:  # typer's click UsageError / BadParameter
            message = getattr(exc, "format_message", exc.__str__)()
            fail(" ".join(message.split()))  # click lists choices on lines of their own
        return result

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
                param.metavar = ""
        return params


class PlainHelpGroup(_PlainHelp, TyperGroup):
    pass


class PlainHelpCommand(_PlainHelp, TyperCommand):
    """A command whose usage line also names arguments as `FILE`, not `{FILE}`."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [
            piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
            for piece in super().collect_usage_pieces(ctx)
        ]


class PlainTyper(typer.Typer):
    """A typer app whose commands are PlainHelpCommands unless a command asks otherwise,
    whenever and in whatever order their modules register them (they load lazily)."""

    def command(
        self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(*args, cls=cls or PlainHelpCommand, **kwargs)


__all__ = ["PlainHelpCommand", "PlainHelpGroup", "PlainTyper", "choices"]
