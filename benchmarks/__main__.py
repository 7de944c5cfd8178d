"""Run every benchmark module's `main()` in turn: `.venv/bin/python -m benchmarks`."""

from __future__ import annotations

import importlib
import time

MODULES = (
    "benchmarks.rendering",
    "benchmarks.delivery",
    "benchmarks.telegram_broadcast",
    "benchmarks.parsing",
    "benchmarks.email",
)


def main() -> None:
    for name in MODULES:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        importlib.import_module(name).main()
        print(f"== {name} took {time.perf_counter() - start:.0f} s\n", flush=True)


if __name__ == "__main__":
    main()
