"""`digestbot publish` as a real process of its own, the way an operator or a container
starts it: for tests that kill it, stop its database or run several at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sample import SAMPLE

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def publish_command(config: Path) -> list[str]:
    """Publish the sample issue with a JSON report on stdout."""
    return [sys.executable, "-m", "digestbot", "--config", str(config), "publish", "--json",
            "--file", str(SAMPLE)]  # fmt: skip


def start_publish(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        publish_command(config),
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


__all__ = ["ENV", "publish_command", "start_publish"]
