"""The ledger off the event loop: steps committed in groups, fenced by the lease, and a
database that goes away waited out (or, past the patience, one clear error)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.exc import OperationalError

from digestbot.model import Variant
from digestbot.store import OffLoopLedger, Outage, PartStep, Status, Store, StoreUnavailable

DAY = dt.date(2026, 4, 20)


async def test_steps_that_arrive_together_are_committed_in_few_transactions(store: Store) -> None:
    store.ensure_deliveries(
        DAY, "telegram", [(f"c{i}", Variant.TOP3) for i in range(200)], {v: 1 for v in Variant}
    )
    claimed = store.claim(DAY, "telegram", "w1", 200, 60)
    async with OffLoopLedger(store) as ledger:
        marked = await asyncio.gather(
            *(ledger.record("w1", PartStep.in_flight(c.id, 0)) for c in claimed)
        )
        sent = await asyncio.gather(
            *(ledger.record("w1", PartStep.sent(c.id, 0, f"m{c.id}")) for c in claimed)
        )
        groups = ledger.groups
    assert marked == sent == [True] * 200
    assert groups <= 10  # 400 steps; one transaction each would be 400
    assert store.summary(DAY)["telegram"] == {Status.SENT: 200}


async def test_a_step_for_a_row_another_worker_holds_is_refused(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("a", Variant.TOP3)], {v: 1 for v in Variant})
    (claimed,) = store.claim(DAY, "telegram", "w2", 1, 60)
    async with OffLoopLedger(store) as ledger:
        assert await ledger.record("w1", PartStep.in_flight(claimed.id, 0)) is False
        assert await ledger.record("w2", PartStep.in_flight(claimed.id, 0)) is True


def _down() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


async def test_calls_wait_while_the_database_is_away_and_go_on_when_it_answers() -> None:
    outage = Outage()
    answers: list[object] = [_down(), _down(), _down(), "ok"]

    async def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        assert outage.reason is not None and "refused" in outage.reason  # /healthz says why

    assert await outage.retry(call, patience=None, sleep=sleep) == "ok"
    assert len(slept) == 3 and all(0 < s <= 2.0 for s in slept)
    assert outage.reason is None


async def test_past_its_patience_a_caller_gets_one_clear_error() -> None:
    now = [0.0]
    outage = Outage(clock=lambda: now[0])

    async def call() -> None:
        raise _down()

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(StoreUnavailable, match=r"no answer for 3. s .*connection refused"):
        await outage.retry(call, patience=30, sleep=sleep)


async def test_a_bug_is_not_taken_for_an_outage() -> None:
    async def call() -> None:
        raise ValueError("not a database problem")

    with pytest.raises(ValueError, match="not a database problem"):
        await Outage().retry(call, patience=None)
