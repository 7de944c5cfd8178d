"""Who holds a lease: a worker's name, unique per process start, and whether a named worker
is certainly dead (its leases can then be taken over at once instead of waiting for them to
expire)."""

from __future__ import annotations

import os
import secrets
import socket

_names: dict[int, str] = {}


def worker_id() -> str:
    """"host:pid:rRANDOM", the same for the whole life of this process (and a new one in a
    forked child). The random part tells two starts apart that got the same pid: under
    Docker's `restart:` the process is PID 1 on the same hostname every time."""
    pid = os.getpid()
    name = _names.get(pid)
    if name is None:
        name = _names[pid] = f"{socket.gethostname()}:{pid}:r{secrets.token_hex(4)}"
    return name


def owner_is_dead(owner: str, me: str | None = None) -> bool:
    """True when `owner` ("host:pid[:random]", see `worker_id`) certainly no longer runs: a
    process of this host that is gone, or an earlier start with this very process's pid (a
    restarted container). Workers on other hosts are never judged: their leases expire."""
    me = me or worker_id()
    host, pid = _host_and_pid(owner)
    my_host, my_pid = _host_and_pid(me)
    if host != my_host or not pid.isdigit() or owner == me:
        return False
    if pid == my_pid:
        return True  # the pid is ours, the start is not: its process is this one now
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def _host_and_pid(owner: str) -> tuple[str, str]:
    head, _, last = owner.rpartition(":")
    if last.isdigit():  # "host:pid", as written before worker ids had a random part
        return head, last
    host, _, pid = head.rpartition(":")
    return host, pid


__all__ = ["owner_is_dead", "worker_id"]
