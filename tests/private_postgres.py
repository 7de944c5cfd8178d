"""A PostgreSQL server of a test's own (initdb + pg_ctl on a free port), for tests that stop
and start the database: the shared server at 127.0.0.1:5432 must never be stopped. PostgreSQL
refuses to run as root, so as root the server runs as `nobody` (via runuser)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

from tests.fakes._server import free_port

PG_BIN = Path("/usr/lib/postgresql")


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(PG_BIN.glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def unavailable_reason() -> str | None:
    """None when a private server can be started here, else why not."""
    if _binary("initdb") is None or _binary("pg_ctl") is None:
        return "initdb/pg_ctl not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class PrivatePostgres:
    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="digestbot-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def init(self) -> Self:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody")
            self.folder.chmod(0o700)
        initdb = _binary("initdb")
        assert initdb is not None
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        pg_ctl = _binary("pg_ctl")
        assert pg_ctl is not None
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        pg_ctl = _binary("pg_ctl")
        assert pg_ctl is not None
        self._run(pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        self.init().start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()


__all__ = ["PrivatePostgres", "unavailable_reason"]
