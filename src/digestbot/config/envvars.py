"""`${VAR}` in any TOML string is replaced by the environment variable VAR (`$$` is a literal
`$`). Secrets live in the environment; the file only names them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from digestbot.config.problems import key_path

_REFERENCE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(
    data: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], list[str], set[str]]:
    """Returns the expanded document, the problems (each naming the key and the variable,
    never a value), and the key paths those problems concern.

    Sections switched off with `enabled = false` may name variables that are not set."""
    problems: list[str] = []
    paths: set[str] = set()

    def walk(value: Any, loc: tuple[str | int, ...], strict: bool) -> Any:
        if isinstance(value, dict):
            on = strict and value.get("enabled", True) is not False
            return {k: walk(v, (*loc, k), on) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i), strict) for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "$"
            found = environ.get(name)
            if found:
                return found
            if strict:
                where = key_path(loc)
                state = "is empty" if name in environ else "is not set"
                problems.append(f"{where}: environment variable {name} {state}")
                paths.add(where)
            return match.group(0)  # keep the reference so validation does not pile on

        return _REFERENCE.sub(substitute, value)

    return walk(data, (), True), problems, paths


__all__ = ["expand_env"]
