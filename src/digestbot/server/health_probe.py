"""The other side of `/healthz`: asking a running `digestbot run` from the same machine whether
it is well, and saying why not in one line (`digestbot healthcheck`)."""

from __future__ import annotations

import enum
import ipaddress
from typing import Any

import httpx

# A server bound to every address is asked on loopback: that address always reaches it.
_LOOPBACK = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


class Verdict(enum.Enum):
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"  # no answer, a stale scheduler, not digestbot
    STORE_UNAVAILABLE = "store unavailable"


def healthz_url(host: str, port: int) -> str:
    """Where a server listening on `host`:`port` answers `/healthz` from the same machine."""
    host = _LOOPBACK.get(host, host)
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}/healthz"


def probe(url: str, timeout: float) -> tuple[Verdict, str]:
    """Ask `url` and judge its answer."""
    try:
        # trust_env=False: a proxy configured for the outside must not stand between us.
        response = httpx.get(url, timeout=timeout, trust_env=False)
    except httpx.HTTPError as exc:
        return Verdict.UNHEALTHY, f"no answer from {url}: {type(exc).__name__}"
    try:
        body = response.json()
    except ValueError:
        return Verdict.UNHEALTHY, f"{url} answered HTTP {response.status_code} without JSON"
    health, reason = verdict(response.status_code, body)
    return health, f"{url}: {reason}"


def verdict(status_code: int, body: Any) -> tuple[Verdict, str]:
    """The verdict and the one line saying why, from what `/healthz` answered."""
    if not isinstance(body, dict) or "status" not in body:
        return Verdict.UNHEALTHY, f"HTTP {status_code}, but not digestbot's /healthz answer"
    if body.get("store") != "ok":
        return Verdict.STORE_UNAVAILABLE, "the store is unavailable to the service"
    scheduler = body.get("scheduler")
    if not isinstance(scheduler, dict):
        return Verdict.UNHEALTHY, "no scheduler reported: is this `digestbot run`?"
    age, limit = _seconds(scheduler.get("age_seconds")), _seconds(scheduler.get("max_age_seconds"))
    if scheduler.get("status") != "ok":
        return Verdict.UNHEALTHY, f"the scheduler has not ticked for {age} s (limit {limit} s)"
    if status_code != 200 or body["status"] != "ok":
        return Verdict.UNHEALTHY, f"HTTP {status_code}, status {body['status']!r}"
    return Verdict.HEALTHY, f"store ok, scheduler ticked {age} s ago"


def _seconds(value: Any) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) else "?"


__all__ = ["Verdict", "healthz_url", "probe", "verdict"]
