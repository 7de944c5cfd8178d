"""What both halves of the store share: the engine, the clock and the two transaction kinds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from digestbot.store.engine import WRITE_OPTION
from digestbot.store.types import UTC, utcnow

Clock = Callable[[], dt.datetime]
MAX_ERROR_CHARS = 2000  # provider error bodies can be large; the first lines say enough
MIGRATED = "target migrated"  # why a subscriber or a delivery stopped at its old target


class StoreBase:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self._clock = clock or utcnow

    def now(self) -> dt.datetime:
        return self._clock().astimezone(UTC)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A short write transaction (on SQLite it holds the write lock from its first line)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def ping(self) -> None:
        """Raise unless the database answers a trivial query (what `/healthz` asks)."""
        with self._read() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()


def clip_error(error: str) -> str:
    return error if len(error) <= MAX_ERROR_CHARS else error[: MAX_ERROR_CHARS - 1] + "…"


__all__ = ["MIGRATED", "Clock", "StoreBase", "clip_error"]
