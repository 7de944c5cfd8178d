"""Store URLs without the database stack: which backend a URL names, its normalized form, and
how to show it without its password. Config validation uses these, so loading a config file
never imports SQLAlchemy; the engine hands the same normalized string to SQLAlchemy."""

from __future__ import annotations

import re
from pathlib import Path

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# SQLAlchemy's own URL grammar starts the same way: name[+driver]://
_SCHEME = re.compile(r"(?P<backend>[A-Za-z][A-Za-z0-9_]*)(?:\+(?P<driver>[A-Za-z0-9_]+))?://")
# user:password@ right after the scheme; the password runs to the last @ before the host.
_PASSWORD = re.compile(r"\A(?P<head>[^:/]+://[^:/@?]*:)(?P<password>[^/?]*)(?=@)")


class StoreURLError(ValueError):
    """The store URL names no backend digestbot supports."""


def normalize_store_url(url: str) -> str:
    """`url` with the installed PostgreSQL driver made explicit (`postgresql://` →
    `postgresql+psycopg://`); StoreURLError when it names no supported backend."""
    match = _SCHEME.match(url)
    if match is None:
        raise StoreURLError("is not a database URL (sqlite:///… or postgresql+psycopg://…)")
    backend = match["backend"]
    if backend not in SUPPORTED_BACKENDS:
        raise StoreURLError(f"scheme must be sqlite or postgresql, not {backend!r}")
    if backend == "postgresql" and match["driver"] != "psycopg":
        return f"postgresql+psycopg://{url[match.end():]}"
    return url


def display_store_url(url: str) -> str:
    """The normalized URL with any password shown as `***`, for output and logs."""
    return _PASSWORD.sub(r"\g<head>***", normalize_store_url(url))


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (relative to the working directory), or None for
    another backend or an in-memory database."""
    scheme, _, rest = normalize_store_url(url).partition("://")
    if scheme.partition("+")[0] != "sqlite":
        return None
    _, slash, database = rest.partition("/")
    database = database.partition("?")[0]
    if not slash or not database or database == ":memory:":
        return None
    return Path(database)


__all__ = [
    "SUPPORTED_BACKENDS",
    "StoreURLError",
    "display_store_url",
    "normalize_store_url",
    "sqlite_file",
]
