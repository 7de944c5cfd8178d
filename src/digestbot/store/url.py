"""Store URLs without the database stack: which backend a URL names, its normalized form, and
how to show it without its password. Config validation uses these, so loading a config file
never imports SQLAlchemy; the engine hands the same normalized string to SQLAlchemy."""

from __future__ import annotations

import re
from pathlib import Path

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# SQLAlchemy's own URL grammar starts the same way: name[+driver]://
_SCHEME = re.compile(r"(?P<backend>[A-Za-z][A-Za-z0-9_]*)(?:\+(?P<driver>[A-Za-z0-9_]+))?://")
# user:password@ right after the scheme, read as SQLAlchemy reads it: the user runs to the
# first ':' or '/', the password to the first '@', so a '/' or '?' in it is still password
# (what the driver is given is what is masked).
_PASSWORD = re.compile(r"\A(?P<head>[^:/]+://[^:/]*:)(?P<password>[^@]*)(?=@)")
# libpq takes the password as a query parameter too (`?password=…`).
_QUERY_PASSWORD = re.compile(r"(?<=[?&]password=)[^&#]*")
# The port after host (or [IPv6 address]): everything after the last ':' outside brackets.
_PORT = re.compile(r":(?P<port>[^:\]]*)\Z")


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
    password = _PASSWORD.match(url)
    authority = url[password.end() + 1 :] if password else url[match.end() :]
    host_and_port = re.split(r"[/?]", authority)[0]
    if password and "@" in host_and_port:
        # SQLAlchemy ends the password at its first '@' and takes the rest for the host: the
        # password's tail would be looked up in DNS and quoted in every connection error.
        raise StoreURLError("its password holds an '@': percent-encode it (%40)")
    port = _PORT.search(host_and_port.rpartition("@")[2])
    if port and not port["port"].isdigit():
        # SQLAlchemy would fail with a bare int() error, far from the config that caused it.
        raise StoreURLError(f"port must be a number, not {port['port']!r}")
    if backend == "postgresql" and match["driver"] != "psycopg":
        return f"postgresql+psycopg://{url[match.end():]}"
    return url


def display_store_url(url: str) -> str:
    """The normalized URL with any password (in the user part or the query) shown as `***`,
    for output and logs."""
    masked = _PASSWORD.sub(r"\g<head>***", normalize_store_url(url))
    return _QUERY_PASSWORD.sub("***", masked)


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
