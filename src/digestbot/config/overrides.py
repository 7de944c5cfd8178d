"""Environment variables that override single keys of the file, for what differs between
places the same config runs (a container binds 0.0.0.0, CI picks a port, compose names the
database): `DIGESTBOT_<SECTION>_<KEY>` replaces `[section] key`.

Only the keys in `OVERRIDABLE` can be overridden; the list is short on purpose, so a file
still says what the bot does. Like any value in the file, an override may contain `${VAR}`,
and `DIGESTBOT_<SECTION>_<KEY>_FILE` names a file holding the value (for a store URL with a
password in it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digestbot.config.envvars import SecretFileError, lookup

OVERRIDABLE = (
    "server.host",
    "server.port",
    "store.url",
    "source.path",
    "outbox.path",
)
PREFIX = "DIGESTBOT_"


def env_name(key: str) -> str:
    """`server.host` → `DIGESTBOT_SERVER_HOST`."""
    return PREFIX + key.upper().replace(".", "_")


def apply_overrides(
    data: dict[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The document with overridden keys replaced, {key path: variable} of those applied, and
    the problems (an unreadable `_FILE`). `data` is left as it was."""
    result = dict(data)
    applied: dict[str, str] = {}
    problems: list[str] = []
    for key in OVERRIDABLE:
        name = env_name(key)
        try:
            value = lookup(name, environ)
        except SecretFileError as exc:
            problems.append(f"{key}: {exc} ({name}_FILE)")
            continue
        if value is None:
            continue
        section, leaf = key.split(".")
        table = result.get(section)
        result[section] = {**(table if isinstance(table, dict) else {}), leaf: value}
        applied[key] = name
    return result, applied, problems


__all__ = ["OVERRIDABLE", "apply_overrides", "env_name"]
