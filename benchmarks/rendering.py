"""How long rendering takes: all nine payloads of a real issue, and of one ten times longer.

Run from the repository root: `.venv/bin/python -m benchmarks.rendering`. Each figure is the
median of several renders with the render cache cleared (templates stay compiled, as in
a running bot).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tests.rendering.builders import sample_issue, synthetic_issue

from digestbot.model import Channel, Issue, Variant
from digestbot.rendering import Renderer

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
ROUNDS = 7


def _base_issue() -> tuple[str, Issue]:
    seeds = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []
    if seeds:
        from digestbot.parsing import parse_issue

        return f"seed {seeds[0].name}", parse_issue(seeds[0].read_bytes(), filename=seeds[0].name)
    return "built-in sample", sample_issue()


def _render_all(renderer: Renderer, issue: Issue) -> int:
    renderer.clear_cache()
    return sum(len(renderer.render(issue, c, v)) for c in Channel for v in Variant)


def _median_seconds(issue: Issue) -> tuple[float, int]:
    renderer = Renderer()
    payloads = _render_all(renderer, issue)  # compiles the templates once, as a server would
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        _render_all(renderer, issue)
        times.append(time.perf_counter() - start)
    return statistics.median(times), payloads


def main() -> None:
    name, base = _base_issue()
    long_issue = synthetic_issue(10, base)
    t_base, n_base = _median_seconds(base)
    t_long, n_long = _median_seconds(long_issue)
    print(f"all nine renders of {name}: {t_base * 1000:.1f} ms ({n_base} payloads)")
    print(f"all nine renders of the 10x longer issue: {t_long * 1000:.1f} ms ({n_long} payloads)")
    print(f"growth ratio for 10x the text: {t_long / t_base:.1f}x")


if __name__ == "__main__":
    main()
