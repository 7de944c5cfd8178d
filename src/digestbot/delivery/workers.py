"""Who holds a lease: a worker's name, and whether a named worker on this host is still alive
(its leases can then be taken over at once instead of waiting for them to expire)."""

from __future__ import annotations

import os
import socket


def worker_id() -> str:
    """Names this process in leases, so an operator can tell which worker holds a row."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    """True when `owner` ("host:pid", see `worker_id`) is a process of this host that is gone.
    Workers on other hosts are never judged: their leases simply expire."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


__all__ = ["owner_is_dead", "worker_id"]
