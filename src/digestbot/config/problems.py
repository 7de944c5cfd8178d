"""Config problems as operators read them: `key.path[2].leaf: what is wrong`, all at once, and
never with the offending value of a secret."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

# Error types raised by our own validators; their message is already operator-ready.
KEYED = "digestbot"


class ConfigError(Exception):
    """The config file cannot be used. `problems` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def problem(message: str, *subproblems: tuple[str, str]) -> PydanticCustomError:
    """A validation error carrying our own wording. `subproblems` are (key, message) pairs for
    model-level checks that concern particular keys (`token`, `password` …) of the model."""
    # The text travels in the context, not the template: messages may contain `{date}`.
    items = [list(p) for p in subproblems]
    return PydanticCustomError(KEYED, "{detail}", {"detail": message, "items": items})


def key_path(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if part == "":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


_PLAIN = {
    "missing": "required",
    "extra_forbidden": "unknown key",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "dict_type": "must be a table",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}"
    if kind in _PLAIN:
        return _PLAIN[kind]
    msg = error["msg"]
    # pydantic's own wording, minus its "Input should be" / "Value error," preambles.
    if msg.startswith("Input should be "):
        return "must be " + msg.removeprefix("Input should be ")
    return msg.removeprefix("Value error, ")


def format_validation_error(exc: ValidationError) -> list[str]:
    """One line per problem. Only messages are used, never `input`, so no value leaks."""
    lines: list[str] = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == KEYED and ctx.get("items"):
            for key, message in ctx["items"]:
                lines.append(f"{key_path((*loc, key))}: {message}")
            continue
        detail = ctx["detail"] if error["type"] == KEYED else _message(error)
        where = key_path(loc)
        lines.append(f"{where}: {detail}" if where else str(detail))
    return lines


__all__ = ["ConfigError", "format_validation_error", "key_path", "problem"]
