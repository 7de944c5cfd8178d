"""The limiter is checked against a virtual clock: what it lets through in any window."""

from __future__ import annotations

import heapq
from collections.abc import Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.ratelimit import AnsweredBucket, Limit, MultiLimiter, SlidingWindow, TokenBucket


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def max_in_any_window(times: list[float], period: float) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - period:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def test_token_bucket_allows_the_burst_then_paces_at_rate() -> None:
    bucket = TokenBucket(rate=30, burst=30)
    sent: list[float] = []
    now = 0.0
    while len(sent) < 200:
        wait = bucket.wait_time(now)
        now += wait
        bucket.consume(now)
        sent.append(now)
    assert sent[29] == 0.0
    # The physical floor of 200 sends at 30/s with a burst of 30: (200 - 30) / 30 s.
    assert sent[-1] == pytest.approx((200 - 30) / 30)


def test_sliding_window_never_exceeds_its_limit_in_any_window() -> None:
    window = SlidingWindow(limit=20, period=60)
    sent: list[float] = []
    now = 0.0
    for _ in range(65):
        now += window.wait_time(now)
        window.consume(now)
        sent.append(now)
    assert max_in_any_window(sent, 60) == 20
    assert sent[20] == pytest.approx(60)


async def test_multilimiter_waits_for_every_key_and_takes_from_all_at_once() -> None:
    clock = VirtualClock()

    def factory(key: Hashable) -> Limit | None:
        kind = key[0] if isinstance(key, tuple) else key
        if kind == "global":
            return TokenBucket(rate=30, burst=30)
        if kind == "chat":
            return TokenBucket(rate=1, burst=1)
        return None

    limiter = MultiLimiter(factory, clock=clock, sleep=clock.sleep)
    times: dict[str, list[float]] = {}
    for _round in range(3):
        for chat in ("a", "b"):
            await limiter.acquire([("global",), ("chat", chat)])
            times.setdefault(chat, []).append(clock.now)
    assert times["a"] == [0.0, 1.0, 2.0]
    assert times["b"] == [0.0, 1.0, 2.0]


async def test_penalize_blocks_a_key_for_retry_after_seconds() -> None:
    clock = VirtualClock()
    limiter = MultiLimiter(
        lambda key: TokenBucket(rate=100, burst=100), clock=clock, sleep=clock.sleep
    )
    limiter.penalize([("chat", "x")], 7.0)
    waited = await limiter.acquire([("chat", "x")])
    assert waited == pytest.approx(7.0)
    assert await limiter.acquire([("chat", "y")]) == 0.0


async def test_recorded_past_sends_count_against_the_window() -> None:
    """A restarted process replays the ledger's last minute so it does not burst again."""
    clock = VirtualClock()
    clock.now = 100.0
    limiter = MultiLimiter(lambda key: SlidingWindow(20, 60), clock=clock, sleep=clock.sleep)
    for i in range(20):
        limiter.record([("group", "-1")], at=70.0 + i)
    await limiter.acquire([("group", "-1")])
    assert clock.now == pytest.approx(130.0)


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(1, 25),
    period=st.floats(0.5, 60),
    arrivals=st.lists(st.floats(0, 120), min_size=1, max_size=80),
)
def test_sliding_window_property_never_over_limit(
    limit: int, period: float, arrivals: list[float]
) -> None:
    window = SlidingWindow(limit=limit, period=period)
    sent: list[float] = []
    now = 0.0
    for arrival in sorted(arrivals):
        now = max(now, arrival)
        while (wait := window.wait_time(now)) > 0:
            now += wait
        window.consume(now)
        sent.append(now)
    assert max_in_any_window(sent, period) <= limit


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.5, 100),
    burst=st.integers(1, 40),
    arrivals=st.lists(st.floats(0, 30), min_size=1, max_size=120),
)
def test_token_bucket_property_respects_rate_and_burst(
    rate: float, burst: int, arrivals: list[float]
) -> None:
    bucket = TokenBucket(rate=rate, burst=burst)
    sent: list[float] = []
    now = 0.0
    for arrival in sorted(arrivals):
        now = max(now, arrival)
        now += bucket.wait_time(now)
        bucket.consume(now)
        sent.append(now)
    assert_within_bucket(sent, rate, burst)


def assert_within_bucket(times: list[float], rate: float, burst: int) -> None:
    """In any interval of length T, at most burst + rate * T events: what a provider's bucket
    (and the Telegram fake's) lets through without a 429."""
    times = sorted(times)
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            assert j - i + 1 <= burst + rate * (times[j] - start) + 1e-6, (i, j)


def released(bucket: Limit, delays: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sends let go as soon as `bucket` allows, one after the other; send k arrives
    delays[k][0] after it leaves and is answered delays[k][1] after that, when the bucket is
    settled. Returns (release, arrival) of each."""
    now = 0.0
    answers: list[float] = []  # due answers, a heap
    sends: list[tuple[float, float]] = []
    for to_arrive, to_answer in delays:
        while True:
            while answers and answers[0] <= now:
                bucket.settle(heapq.heappop(answers))
            wait = bucket.wait_time(now)
            if wait <= 0:
                break
            now = min(now + wait, answers[0]) if answers else now + wait
        bucket.consume(now)
        sends.append((now, now + to_arrive))
        heapq.heappush(answers, now + to_arrive + to_answer)
    return sends


@settings(max_examples=150, deadline=None)
@given(
    delays=st.lists(st.tuples(st.floats(0, 0.5), st.floats(0, 0.2)), min_size=1, max_size=100),
    burst=st.integers(1, 40),
)
def test_answered_bucket_keeps_arrivals_within_the_providers_bucket_whatever_the_delays(
    delays: list[tuple[float, float]], burst: int
) -> None:
    sends = released(AnsweredBucket(rate=30, burst=burst), delays)
    assert_within_bucket([arrived for _, arrived in sends], 30, burst)


def test_a_late_burst_breaks_a_bucket_counted_at_release_but_not_one_counted_at_answers() -> None:
    # The first 30 take 0.3 s to arrive (new connections on a busy host), the rest none.
    delays = [(0.3, 0.01)] * 30 + [(0.0, 0.01)] * 30
    at_release = released(TokenBucket(rate=30, burst=30), delays)
    with pytest.raises(AssertionError):
        assert_within_bucket([arrived for _, arrived in at_release], 30, 30)
    at_answers = released(AnsweredBucket(rate=30, burst=30), delays)
    assert_within_bucket([arrived for _, arrived in at_answers], 30, 30)
    # What it cost: the burst's own round trip, once (0.31 s), not a slower rate.
    assert at_answers[-1][0] == pytest.approx(0.31 + 30 / 30, abs=0.01)


def test_answered_bucket_paces_200_sends_at_the_floor_plus_one_round_trip() -> None:
    sends = released(AnsweredBucket(rate=30, burst=30), [(0.002, 0.002)] * 200)
    assert [at for at, _ in sends[:30]] == [0.0] * 30
    assert sends[-1][0] == pytest.approx((200 - 30) / 30 + 0.004, abs=0.005)


async def test_multi_limiter_settles_answered_sends_also_behind_a_retry_after() -> None:
    clock = VirtualClock()
    limiter = MultiLimiter(lambda key: AnsweredBucket(rate=10, burst=2), clock=clock)
    await limiter.acquire(["bot"])
    await limiter.acquire(["bot"])
    assert limiter.wait_time(["bot"]) > 0, "two in flight: the burst is spent"
    limiter.penalize(["bot"], 1.0)
    limiter.settle(["bot"])
    limiter.settle(["bot"])
    clock.now = 1.2
    assert limiter.wait_time(["bot"]) == 0
    # History (sends a crashed run made) is counted as answered, never as in flight.
    limiter.record(["bot"], at=1.2)
    limiter.record(["bot"], at=1.2)
    clock.now = 1.2 + 0.2
    assert limiter.wait_time(["bot"]) == 0
