"""digestbot as a real process of its own, the way an operator or a container starts it: for
tests that kill it, stop its database, run several at once or read what it prints. One place
for the command line, the environment (unbuffered, so a killed process's last lines are not
lost) and the kill mid-work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.sample import SAMPLE

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def digestbot(config: Path | None, *args: str) -> list[str]:
    """The command line of `digestbot [--config config] args...`."""
    options = ["--config", str(config)] if config is not None else []
    return [sys.executable, "-m", "digestbot", *options, *args]


def publish_command(config: Path) -> list[str]:
    """Publish the sample issue with a JSON report on stdout."""
    return digestbot(config, "publish", "--json", "--file", str(SAMPLE))


def start(config: Path | None, *args: str, **popen: Any) -> subprocess.Popen[Any]:
    """`digestbot args...` started in the background: stdout dropped and stderr piped unless
    `popen` says otherwise (`env` extends `ENV`)."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(
        digestbot(config, *args), **{**popen, "env": {**ENV, **popen.get("env", {})}}
    )


def run(config: Path | None, *args: str, timeout: float = 120, **options: Any) -> Any:
    """`digestbot args...` to its end; stdout and stderr captured as text."""
    options.setdefault("capture_output", True)
    options.setdefault("text", True)
    return subprocess.run(
        digestbot(config, *args),
        timeout=timeout,
        check=False,
        **{**options, "env": {**ENV, **options.get("env", {})}},
    )


def start_publish(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        publish_command(config),
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(
    process: subprocess.Popen[Any],
    ready: Callable[[], bool],
    what: str,
    *,
    timeout: float = 60,
    later: float = 0.0,
) -> None:
    """SIGKILL `process` `later` seconds after `ready()` holds (it must still be running by
    then: a process that ended first fails the test with its stderr), and reap it."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, f"{what} never got going"
        time.sleep(0.01)
    time.sleep(later)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


__all__ = [
    "ENV",
    "digestbot",
    "kill_when",
    "publish_command",
    "run",
    "start",
    "start_publish",
]
