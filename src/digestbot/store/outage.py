"""Telling "the database is away" from "this is a bug", and waiting for it to come back.

A database that restarts, a network that drops, a PostgreSQL failover, SQLite busy past its
timeout: each surfaces as a DBAPI OperationalError/InterfaceError (or a pool timeout). Those
are retried with capped backoff until the database answers again, or, past the caller's
patience, raised as `StoreUnavailable` (one line, password masked). Anything else (an
IntegrityError, a bug in a statement) is raised at once."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import exc as sa_exc

from digestbot.store.engine import StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_RETRY_SECONDS = 0.2
# Short enough that work resumes within seconds of the database's return.
MAX_RETRY_SECONDS = 2.0


def is_unavailable(exc: BaseException) -> bool:
    """The database (or the way to it) is away, as opposed to a statement being wrong."""
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    return isinstance(exc, sa_exc.TimeoutError)  # no pooled connection came free


def reason_of(exc: BaseException) -> str:
    """The first line of the driver's message (SQLAlchemy's URL and SQL left out)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no detail'}"


@dataclass
class Outage:
    """Whether the store answers, as everything using it last found. `/healthz` reads it."""

    reason: str | None = None  # None: the last call got through
    since: float | None = None  # time.monotonic() of the first failure of this outage
    clock: Callable[[], float] = time.monotonic
    _jitter: random.Random = field(default_factory=random.Random)

    @property
    def seconds(self) -> float:
        return 0.0 if self.since is None else self.clock() - self.since

    def failed(self, exc: BaseException) -> None:
        reason = reason_of(exc)
        if self.since is None:
            self.since = self.clock()
            log.warning("store unavailable, sending paused until it answers: %s", reason)
        self.reason = reason

    def recovered(self) -> None:
        if self.since is not None:
            log.warning("store answers again after %.1f s; resuming", self.seconds)
        self.reason = self.since = None

    def delay(self, attempt: int) -> float:
        ceiling = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2.0 ** max(0, attempt - 1))
        return ceiling / 2 + self._jitter.uniform(0, ceiling / 2)

    async def retry(
        self,
        call: Callable[[], Awaitable[T]],
        patience: float | None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> T:
        """`call()` until it gets through. Past `patience` seconds of this outage (None:
        never), StoreUnavailable."""
        attempt = 0
        while True:
            try:
                result = await call()
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                self.failed(exc)
                if patience is not None and self.seconds >= patience:
                    raise StoreUnavailable(
                        f"no answer for {self.seconds:.0f} s ({self.reason})"
                    ) from None
                attempt += 1
                await sleep(self.delay(attempt))
            else:
                self.recovered()
                return result


__all__ = ["MAX_RETRY_SECONDS", "Outage", "is_unavailable", "reason_of"]
