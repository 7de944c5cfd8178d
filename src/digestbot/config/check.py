"""`check_config`: validation plus what only the running machine can tell (is the database
reachable, do the folders exist)."""

from __future__ import annotations

import os
from pathlib import Path

from digestbot.config.loader import load_config
from digestbot.config.models import Config
from digestbot.config.problems import ConfigError
from digestbot.store.url import normalize_store_url, sqlite_file


def check_config(path: Path) -> list[str]:
    """Every problem with the config at `path`, one line each with its key path; [] when the
    bot can start. Never creates files or folders."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        return exc.problems
    return [
        *_check_store(config),
        *_check_folders(config),
    ]


def _check_store(config: Config) -> list[str]:
    secret_url = config.store.url.get_secret_value()
    database = sqlite_file(secret_url)
    if database is not None and not database.exists():
        # Connecting would create the file; only check that it could be created.
        folder = _nearest_existing(database.parent)
        if not (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
            return [f"store.url: cannot create the database: {folder} is not a writable folder"]
        return []
    # Reaching the database is this check's job, so the database stack is loaded here, when
    # it runs, and not by everything that merely reads the config.
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import SQLAlchemyError

    from digestbot.store.engine import failure_reason

    url = make_url(normalize_store_url(secret_url))
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            # SQLite opens any file lazily; reading the schema proves it is a database.
            probe = "select count(*) from sqlite_master" if database else "select 1"
            conn.execute(text(probe))
    except SQLAlchemyError as exc:
        reason = failure_reason(exc, url)
        return [f"store.url: cannot connect to {config.store.safe_url}: {reason}"]
    finally:
        engine.dispose()
    return []


def _check_folders(config: Config) -> list[str]:
    problems = []
    if config.templates.dir is not None and not config.templates.dir.is_dir():
        problems.append(f"templates.dir: folder {config.templates.dir} does not exist")
    if config.source.kind == "folder" and not config.source.path.is_dir():
        problems.append(f"source.path: folder {config.source.path} does not exist")
    uses_outbox = any(
        (section := config.channel(name)) is not None and section.transport == "outbox"
        for name in config.enabled_channels()
    )
    if uses_outbox:
        folder = _nearest_existing(config.outbox.path)
        if not (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
            problems.append(f"outbox.path: {folder} is not a writable folder")
    return problems


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


__all__ = ["check_config"]
