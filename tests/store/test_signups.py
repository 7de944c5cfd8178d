"""Sign-up state on both backends: fixed-window limits that hold exactly under concurrency,
and single-use links that a second use (or a race) cannot use again."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from digestbot.model import Variant
from digestbot.store import Store
from tests.store.conftest import FakeClock

TEN_MIN = dt.timedelta(minutes=10)
HOUR = dt.timedelta(hours=1)


def test_one_event_per_window_then_again_after_it(store: Store, clock: FakeClock) -> None:
    assert store.take_signup_slot("addr", TEN_MIN, 1)
    clock.advance(599)
    assert not store.take_signup_slot("addr", TEN_MIN, 1)
    assert store.take_signup_slot("other", TEN_MIN, 1), "keys are independent"
    clock.advance(1)
    assert store.take_signup_slot("addr", TEN_MIN, 1)
    assert not store.take_signup_slot("addr", TEN_MIN, 1)


def test_n_events_per_window_and_refusals_count_nothing(store: Store, clock: FakeClock) -> None:
    taken = [store.take_signup_slot("ip", HOUR, 5) for _ in range(8)]
    assert taken == [True] * 5 + [False] * 3
    clock.advance(3600)
    assert [store.take_signup_slot("ip", HOUR, 5) for _ in range(6)] == [True] * 5 + [False]


def test_concurrent_requests_never_exceed_the_limit(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.take_signup_slot("k", HOUR, 3), range(24)))
    assert results.count(True) == 3


def test_a_confirmation_link_works_once(store: Store, clock: FakeClock) -> None:
    expires = clock.now + dt.timedelta(hours=48)
    assert store.confirm_signup("n1", expires, "email", "a@example.org", Variant.FULL)
    row = store.get_subscriber("email", "a@example.org")
    assert row is not None and row.active and row.variant is Variant.FULL
    store.set_variant("email", "a@example.org", Variant.TOP3)
    assert not store.confirm_signup("n1", expires, "email", "a@example.org", Variant.FULL)
    after = store.get_subscriber("email", "a@example.org")
    assert after is not None and after.variant is Variant.TOP3, "a reused link changes nothing"
    assert store.token_used("n1") and not store.token_used("n2")


def test_racing_uses_of_one_link_confirm_once(store: Store, clock: FakeClock) -> None:
    expires = clock.now + dt.timedelta(hours=48)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda _: store.confirm_signup("race", expires, "email", "r@x.org", Variant.TOP5),
                range(12),
            )
        )
    assert results.count(True) == 1


def test_used_links_are_forgotten_once_they_could_no_longer_be_used(
    store: Store, clock: FakeClock
) -> None:
    store.confirm_signup("old", clock.now + HOUR, "email", "o@x.org", Variant.TOP5)
    clock.advance(3601)
    store.confirm_signup("new", clock.now + HOUR, "email", "p@x.org", Variant.TOP5)
    assert not store.token_used("old") and store.token_used("new")
