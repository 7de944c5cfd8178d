"""Secrets named by the file, resolved when it is loaded.

* `${VAR}` in any TOML string is the environment variable VAR; when VAR is unset or empty and
  `VAR_FILE` names a file, the file's content (the convention of Docker/compose secrets and
  of systemd credentials: `TELEGRAM_BOT_TOKEN_FILE=/run/secrets/telegram_bot_token`).
* `${file:/path}` is the content of that file.
* `$$` is a literal `$`.

A file's trailing line break is dropped (`echo token > file` writes one). Problems name the
key, the variable and the path, never a value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from digestbot.config.problems import key_path

_REFERENCE = re.compile(r"\$\$|\$\{(?:file:([^}]+)|([A-Za-z_][A-Za-z0-9_]*))\}")
FILE_SUFFIX = "_FILE"


class SecretFileError(Exception):
    """A secret file cannot be used; the message names the file, never its content."""


def read_secret_file(path: str) -> str:
    """The content of a secret file without its trailing line break."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretFileError(f"secret file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise SecretFileError(f"secret file {path} cannot be read: {reason}") from None
    value = text.removesuffix("\n").removesuffix("\r")
    if not value:
        raise SecretFileError(f"secret file {path} is empty")
    return value


def lookup(name: str, environ: Mapping[str, str]) -> str | None:
    """VAR's value, else the content of the file VAR_FILE names; None when neither is set.
    Raises SecretFileError when VAR_FILE names a file that cannot be used."""
    if found := environ.get(name):
        return found
    if file := environ.get(name + FILE_SUFFIX):
        return read_secret_file(file)
    return None


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

        def complain(message: str) -> None:
            if strict:
                where = key_path(loc)
                problems.append(f"{where}: {message}")
                paths.add(where)

        def substitute(match: re.Match[str]) -> str:
            file, name = match.group(1), match.group(2)
            if file is None and name is None:
                return "$"
            try:
                found = read_secret_file(file) if file is not None else lookup(name, environ)
            except SecretFileError as exc:
                via = f" ({name}{FILE_SUFFIX})" if name is not None else ""
                complain(f"{exc}{via}")
                return match.group(0)
            if found:
                return found
            state = "is empty" if name in environ else "is not set"
            complain(f"environment variable {name} {state}")
            return match.group(0)  # keep the reference so validation does not pile on

        return _REFERENCE.sub(substitute, value)

    return walk(data, (), True), problems, paths


__all__ = ["FILE_SUFFIX", "SecretFileError", "expand_env", "lookup", "read_secret_file"]
