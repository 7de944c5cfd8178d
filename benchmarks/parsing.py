"""Memory and time of parsing oversized issues, and of `publish --dry-run` refusing them.

Run from the repository root: `.venv/bin/python -m benchmarks.parsing`. Each figure comes from
a fresh subprocess (peak RSS from `resource.getrusage`), printed as a ratio to its floor: the
interpreter with digestbot imported plus the input held once. The issues are the bundled
sample with its first event repeated (fictional text, never the seeds).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.sample import REPO, sample_with_events

MB = 1024 * 1024

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(code, peak, took)
"""


def measure(*command: str) -> tuple[int, int, float]:
    """(exit code, peak RSS in bytes, seconds) of one command in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def _digestbot(*args: str) -> list[str]:
    return [sys.executable, "-m", "digestbot", *args]


def _events_for(size: int) -> int:
    per_event = len(sample_with_events(2).encode()) - len(sample_with_events(1).encode())
    return size // per_event


def main() -> None:
    _, floor, _ = measure(sys.executable, "-c", "import digestbot.cli, digestbot.parsing")
    print(f"floor: interpreter + digestbot imported = {floor / MB:.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "demo.toml"
        config.write_text(
            (REPO / "config" / "demo.toml").read_text(encoding="utf-8")
            .replace("demo-data", str(Path(tmp) / "demo-data")),
            encoding="utf-8",
        )
        for label, events in (("10,000 events", 10_000), ("50 MB", _events_for(50 * MB))):
            path = Path(tmp) / "big.txt"
            path.write_text(sample_with_events(events), encoding="utf-8")
            size = path.stat().st_size
            for name, command in (
                ("parse --json", _digestbot("parse", str(path), "--json")),
                ("publish --dry-run", _digestbot(
                    "--config", str(config), "publish", "--file", str(path), "--dry-run")),
            ):
                code, peak, took = measure(*command)
                print(
                    f"{label} ({size / MB:.1f} MiB, {events} events) {name}: exit {code}, "
                    f"peak {peak / MB:.0f} MiB = {peak / (floor + size):.1f}x the floor, "
                    f"{took:.1f} s"
                )


if __name__ == "__main__":
    main()
