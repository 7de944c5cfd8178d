"""`/healthz` and `/metrics`: what a load balancer and Prometheus poll."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

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


def store_health(store: Health) -> HealthCheck:
    """A check that the store answers a trivial query."""

    def check() -> bool:
        try:
            store.ping()
        except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
            log.warning("health check: store unreachable (%s)", type(exc).__name__)
            return False
        return True

    return check


def healthz_endpoint(check: HealthCheck) -> Endpoint:
    async def healthz(_: Request) -> Response:
        try:
            ok = await asyncio.wait_for(asyncio.to_thread(check), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            ok = False
        if not ok:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return healthz


def metrics_endpoint(metrics: Metrics, subscribers: Subscribers) -> Endpoint:
    def refresh() -> None:
        for channel in Channel:
            metrics.set_active_subscribers(channel, subscribers.count_active_subscribers(channel))

    async def metrics_page(_: Request) -> Response:
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
    "Endpoint",
    "HealthCheck",
    "healthz_endpoint",
    "metrics_endpoint",
    "store_health",
]
