"""Run every benchmark module's `main()` in turn: `.venv/bin/python -m benchmarks`."""

from __future__ import annotations

import importlib
import time

# Each prints its figures as ratios to their floors (or goals) with the load average.
MODULES = (
    "benchmarks.rendering",
    "benchmarks.parsing",
    "benchmarks.startup",  # --help, cold render, a whole publish process
    "benchmarks.ledger",  # ledger CPU per message, 20,000 targets to the first send
    "benchmarks.delivery",
    "benchmarks.telegram_broadcast",
    "benchmarks.email",
    "benchmarks.latency",  # /healthz, Slack acks, bot replies during a 10,000-chat publish
    "benchmarks.replicas",  # 1, 2 and 3 publish processes on one PostgreSQL ledger
    "benchmarks.shared_limits",  # CPU per message of the bot and chat rows in PostgreSQL
    "benchmarks.corrections",  # 200 chats, 20 channels, 200 mailboxes corrected
)


def main() -> None:
    for name in MODULES:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        importlib.import_module(name).main()
        print(f"== {name} took {time.perf_counter() - start:.0f} s\n", flush=True)


if __name__ == "__main__":
    main()
