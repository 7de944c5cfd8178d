"""Revisions in the ledger: a correction replans the parts of every delivery that carries an
older revision (edit what the target has, send what it lacks, delete the surplus), once per
revision, and `held_revision` follows when a delivery is done."""

from __future__ import annotations

import datetime as dt

from digestbot.model import Channel, Variant
from digestbot.store import Held, PartAction, PartStep, Status, Store
from tests.store.conftest import FakeClock

DAY = dt.date(2026, 4, 20)


def _publish(store: Store, channel: str, targets: list[str], parts: int) -> list[int]:
    """Revision 1 sent in full to `targets`, with message ids m<target>-<part>."""
    store.ensure_deliveries(
        DAY, channel, [(t, Variant.FULL) for t in targets], {Variant.FULL: parts}
    )
    claimed = store.claim(DAY, channel, "w1", 100, 60)
    for delivery in claimed:
        for part in delivery.parts:
            steps = [
                PartStep.in_flight(delivery.id, part.index),
                PartStep.sent(delivery.id, part.index, f"m{delivery.target}-{part.index}"),
            ]
            assert store.record_steps("w1", steps) == [True, True]
    store.release([d.id for d in claimed], "w1")
    return [d.id for d in claimed]


def _parts(n: int):  # type: ignore[no-untyped-def]
    return lambda target, variant, form: n


def test_a_correction_edits_sent_parts_sends_extra_ones_and_deletes_the_surplus(
    store: Store,
) -> None:
    _publish(store, "telegram", ["1", "2"], parts=2)
    assert {r.held_revision for r in store.log(DAY)} == {1}

    plan = store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(3))
    assert plan.replanned == 2 and not plan.busy
    (first, second) = store.claim(DAY, "telegram", "w1", 10, 60, revision=2)
    assert first.revision == 2 and first.held_revision == 1
    assert [(p.action, p.status, p.provider_message_id) for p in first.parts] == [
        (PartAction.EDIT, Status.PENDING, "m1-0"),
        (PartAction.EDIT, Status.PENDING, "m1-1"),
        (PartAction.SEND, Status.PENDING, None),
    ]
    # Replanning the same revision again finds nothing: once per target per revision.
    assert store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(3)).replanned == 0
    # Rows carrying revision 2 are not for a fan-out of revision 1.
    store.release([first.id, second.id], "w1")
    assert store.claim(DAY, "telegram", "w2", 10, 60, revision=1) == []

    claimed = store.claim(DAY, "telegram", "w1", 10, 60, revision=2)
    for delivery in claimed:
        for part in delivery.parts:
            message = part.provider_message_id or f"new{delivery.target}"
            steps = [PartStep.in_flight(delivery.id, part.index)]
            steps.append(PartStep.sent(delivery.id, part.index, message))
            store.record_steps("w1", steps)
    store.release([d.id for d in claimed], "w1")
    assert {(r.revision, r.held_revision, r.status) for r in store.log(DAY)} == {
        (2, 2, Status.SENT)
    }

    store.plan_revision(DAY, Channel.TELEGRAM, 3, _parts(1))
    (one, _) = store.claim(DAY, "telegram", "w1", 10, 60, revision=3)
    assert [(p.action, p.provider_message_id) for p in one.parts] == [
        (PartAction.EDIT, "m1-0"),
        (PartAction.DELETE, "m1-1"),
        (PartAction.DELETE, "new1"),
    ]


def test_a_target_that_had_not_got_the_issue_gets_the_corrected_revision(store: Store) -> None:
    store.ensure_deliveries(DAY, "telegram", [("9", Variant.TOP3)], {Variant.TOP3: 2})
    store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(1))
    (delivery,) = store.claim(DAY, "telegram", "w1", 10, 60, revision=2)
    assert delivery.held_revision is None
    assert [(p.action, p.status) for p in delivery.parts] == [(PartAction.SEND, Status.PENDING)]


def test_email_readers_who_hold_a_revision_get_one_notice_or_nothing(store: Store) -> None:
    _publish(store, "email", ["a@example.org"], parts=1)
    store.ensure_deliveries(DAY, "email", [("b@example.org", Variant.TOP3)], {Variant.TOP3: 1})

    kept = store.plan_revision(DAY, Channel.EMAIL, 2, _parts(1), Held.KEEP)
    assert kept.replanned == 1  # only the reader who has not got it yet
    assert {r.target: r.revision for r in store.log(DAY)} == {
        "a@example.org": 1,
        "b@example.org": 2,
    }

    store.plan_revision(DAY, Channel.EMAIL, 2, _parts(1), Held.NOTICE)
    by_target = {d.target: d for d in store.claim(DAY, "email", "w1", 10, 60, revision=2)}
    assert [p.action for p in by_target["a@example.org"].parts] == [PartAction.NOTICE]
    assert [p.action for p in by_target["b@example.org"].parts] == [PartAction.SEND]


def test_rows_another_worker_is_sending_wait_and_their_owner_is_named(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, "telegram", [("1", Variant.TOP3)], {Variant.TOP3: 1})
    store.claim(DAY, "telegram", "busy-worker", 10, 60)
    plan = store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(1))
    assert plan.replanned == 0 and plan.busy == {"busy-worker"}
    clock.advance(61)  # its lease ran out
    assert store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(1)).replanned == 1


def test_an_edit_left_in_flight_by_a_crash_is_simply_done_again(
    store: Store, clock: FakeClock
) -> None:
    _publish(store, "telegram", ["1"], parts=1)
    store.plan_revision(DAY, Channel.TELEGRAM, 2, _parts(1))
    (delivery,) = store.claim(DAY, "telegram", "dead", 10, 60, revision=2)
    assert store.record_steps("dead", [PartStep.in_flight(delivery.id, 0)]) == [True]
    clock.advance(61)
    (again,) = store.claim(DAY, "telegram", "w2", 10, 60, revision=2)
    assert again.parts[0].status is Status.PENDING  # not uncertain: an edit is repeatable
    assert again.parts[0].action is PartAction.EDIT
