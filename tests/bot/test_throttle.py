"""The per-user /today budget: a sliding window, one notice per window, then silence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.bot.throttle import UserThrottle, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


A, N, S = Verdict.ALLOW, Verdict.NOTIFY, Verdict.SILENT


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([0, 1, 2], [A, A, A]),
        ([0, 1, 2, 3, 4, 5], [A, A, A, N, S, S]),
        # The oldest request leaves the window at 60 s: budget again, and a new notice later.
        ([0, 1, 2, 3, 60, 61, 62, 63, 64], [A, A, A, N, A, A, A, N, S]),
        ([0, 0, 0, 0, 0, 0], [A, A, A, N, S, S]),
        ([0, 30, 59.9, 60, 89.9], [A, A, A, A, N]),
    ],
    ids=["within-budget", "flood", "window-slides", "same-instant", "exact-edge"],
)
def test_three_per_minute_then_one_notice_then_silence(
    times: list[float], expected: list[Verdict]
) -> None:
    clock = Clock()
    throttle = UserThrottle(3, 60.0, clock=clock)
    start = clock.now
    verdicts = []
    for t in times:
        clock.now = start + t
        verdicts.append(throttle.check("u1").verdict)

    assert verdicts == expected


def test_users_have_separate_budgets_and_the_notice_says_how_long_to_wait() -> None:
    clock = Clock()
    throttle = UserThrottle(1, 60.0, clock=clock)

    assert throttle.check("a").verdict is A
    clock.now += 15
    refused = throttle.check("a")
    assert throttle.check("b").verdict is A

    assert refused.verdict is N and refused.retry_after == pytest.approx(45.0)


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    throttle = UserThrottle(3, 60.0, clock=clock)
    for user in range(100):
        throttle.check(user)
    clock.now += 61
    throttle.check("late")

    assert throttle.tracked() == 1


@pytest.mark.parametrize(("limit", "period"), [(0, 60.0), (3, 0.0)])
def test_a_throttle_that_could_never_allow_anything_is_refused(limit: int, period: float) -> None:
    with pytest.raises(ValueError, match="limit"):
        UserThrottle(limit, period)


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=40, allow_nan=False), max_size=60),
    limit=st.integers(min_value=1, max_value=5),
)
def test_never_more_than_limit_allowed_per_window_nor_two_notices_per_wait(
    gaps: list[float], limit: int
) -> None:
    clock = Clock()
    throttle = UserThrottle(limit, 60.0, clock=clock)
    allowed: list[float] = []
    quiet_until = float("-inf")
    for gap in gaps:
        clock.now += gap
        decision = throttle.check("u")
        if decision.verdict is A:
            allowed.append(clock.now)
            assert sum(1 for t in allowed if t > clock.now - 60.0) <= limit
        elif decision.verdict is N:
            assert clock.now >= quiet_until
            quiet_until = clock.now + decision.retry_after
        else:
            assert clock.now < quiet_until


def test_the_wait_reported_counts_down_and_the_budget_returns_after_the_period() -> None:
    clock = Clock()
    throttle = UserThrottle(3, 60.0, clock=clock)
    assert [throttle.check("U1").verdict for _ in range(3)] == [A, A, A]
    clock.now += 20
    assert throttle.check("U1").retry_after == pytest.approx(40.0)
    assert throttle.check("U2").verdict is A
    clock.now += 40.5
    assert throttle.check("U1").verdict is A
