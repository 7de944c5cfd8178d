"""`/healthz` and `/metrics`: what a load balancer, `digestbot healthcheck` and Prometheus
poll."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from digestbot.model import Channel
from digestbot.server.metrics import METRICS_CONTENT_TYPE, Metrics
from digestbot.store import Health, Subscribers

log = logging.getLogger(__name__)

HealthCheck = Callable[[], bool]
Endpoint = Callable[[Request], Awaitable[Response]]
# A PostgreSQL that stopped answering can hold a connect for its full connect timeout; a health
# probe must answer sooner than the prober gives up on us.
HEALTH_TIMEOUT_SECONDS = 3.0
HEARTBEAT_SECONDS = 30.0
# Beats missed before the scheduler counts as dead: one late beat on a busy machine is not.
STALE_AFTER_BEATS = 3


class Heartbeat:
    """The scheduler's sign of life. `digestbot run` schedules `beat` as a job of its own (a
    publish running for an hour must not look like a dead scheduler); it runs on the event
    loop, so a blocked loop stops the beats too. Until the first beat, the start counts."""

    def __init__(
        self, every: float = HEARTBEAT_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self.every = every
        self.clock = clock
        self.started = clock()
        self.last: float | None = None

    async def beat(self) -> None:
        self.last = self.clock()

    @property
    def max_age(self) -> float:
        return self.every * STALE_AFTER_BEATS

    def report(self) -> dict[str, Any]:
        """What `/healthz` says about the scheduler."""
        age = self.clock() - (self.started if self.last is None else self.last)
        last = None
        if self.last is not None:
            last = dt.datetime.fromtimestamp(self.last, dt.UTC).isoformat(timespec="seconds")
        return {
            "status": "ok" if age <= self.max_age else "stale",
            "last_tick": last,
            "age_seconds": round(age, 1),
            "max_age_seconds": self.max_age,
        }


class StoreCheck:
    """A check that the store answers a trivial query; `reason` says why it did not last
    time (the driver's first line: no URL, no password), for `/healthz` to show."""

    def __init__(self, store: Health) -> None:
        self.store = store
        self.reason: str | None = None

    def __call__(self) -> bool:
        from digestbot.store.outage import reason_of  # SQLAlchemy only once it is needed

        try:
            self.store.ping()
        except Exception as exc:  # any failure means "not healthy"
            self.reason = reason_of(exc)
            log.warning("health check: store unreachable (%s)", self.reason)
            return False
        self.reason = None
        return True


def store_health(store: Health) -> HealthCheck:
    return StoreCheck(store)


def healthz_endpoint(check: HealthCheck, heartbeat: Heartbeat | None = None) -> Endpoint:
    """200 when the store answers and (with a `heartbeat`) the scheduler ticks, else 503.
    The body says which part failed: `{"status", "store", "scheduler": {...}}`."""

    async def healthz(_: Request) -> Response:
        why = None
        try:
            store_ok = await asyncio.wait_for(asyncio.to_thread(check), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            store_ok = False
            why = f"no answer within {HEALTH_TIMEOUT_SECONDS:.0f} s"
        body: dict[str, Any] = {"store": "ok" if store_ok else "unavailable"}
        why = why or (None if store_ok else getattr(check, "reason", None))
        if why:  # sending is paused meanwhile: say why
            body["store_error"] = why
        healthy = store_ok
        if heartbeat is not None:
            body["scheduler"] = heartbeat.report()
            healthy = healthy and body["scheduler"]["status"] == "ok"
        body = {"status": "ok" if healthy else "unavailable", **body}
        return JSONResponse(body, status_code=200 if healthy else 503)

    return healthz


def metrics_endpoint(
    metrics: Metrics, subscribers: Subscribers, token: str | None = None
) -> Endpoint:
    """The Prometheus page; with `token`, only for requests that carry
    `Authorization: Bearer <token>` (others get 401 and nothing of the counters)."""
    expected = f"Bearer {token}".encode() if token else None

    def refresh() -> None:
        for channel in Channel:
            metrics.set_active_subscribers(channel, subscribers.count_active_subscribers(channel))

    async def metrics_page(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return Response(
                    "a bearer token is needed\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        # Subscriber counts are read at scrape time: a handful of indexed COUNTs is cheaper
        # than keeping every join and leave path in step with a gauge.
        try:
            await asyncio.to_thread(refresh)
        except Exception as exc:  # a down store must not hide the delivery counters
            log.warning("metrics: subscriber counts unavailable (%s)", type(exc).__name__)
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    return metrics_page


__all__ = [
    "HEALTH_TIMEOUT_SECONDS",
    "HEARTBEAT_SECONDS",
    "STALE_AFTER_BEATS",
    "Endpoint",
    "HealthCheck",
    "Heartbeat",
    "StoreCheck",
    "healthz_endpoint",
    "metrics_endpoint",
    "store_health",
]
