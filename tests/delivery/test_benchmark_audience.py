"""Benchmark (c) says how much of the audience it really reached (`make bench` itself is not a
test; this runs its audience case on a budget too small to finish)."""

from __future__ import annotations

import pytest
from benchmarks.delivery import audience_run, reached

pytestmark = pytest.mark.slow


def test_audience_benchmark_reports_the_audience_reached_when_its_budget_runs_out() -> None:
    result = audience_run(3000, budget_s=0.0)

    assert result["recorded"] == 3000, "the audience asked for is never shrunk"
    assert result["delivered"] < 3000
    assert reached(result) == (
        f"delivered {result['delivered']:,} of 3,000 before the 0 s budget "
        f"({3000 - result['delivered']:,} left pending)"
    )


def test_audience_benchmark_says_all_when_everyone_was_reached() -> None:
    result = audience_run(200, budget_s=600.0)

    assert (result["recorded"], result["delivered"]) == (200, 200)
    assert reached(result) == "delivered all 200"
