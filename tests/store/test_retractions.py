"""The retraction's work queue on both backends: it waits for a delivery still being sent,
deletes what was sent (thread replies first), skips what never left, and after a crash redoes
deletions but never a notice."""

from __future__ import annotations

import datetime as dt

from digestbot.model import Channel, Variant
from digestbot.store import PartAction, PartStep, Status, Store, Undo, UndoStep
from tests.store.conftest import FakeClock

DAY = dt.date(2026, 4, 20)
TOTALS = {Variant.TOP3: 1, Variant.FULL: 2}


def _send(store: Store, owner: str, delivery_id: int, index: int, message_id: str) -> None:
    steps = [PartStep.in_flight(delivery_id, index), PartStep.sent(delivery_id, index, message_id)]
    assert store.record_steps(owner, steps) == [True, True]


def _undo(store: Store, owner: str, delivery_id: int, index: int, state: Undo) -> None:
    steps = [UndoStep.in_flight(delivery_id, index), UndoStep.done(delivery_id, index, state)]
    assert store.record_undo_steps(owner, steps) == [True, True]


def test_a_delivery_still_being_sent_is_waited_for_then_everything_it_sent_is_deleted(
    store: Store,
) -> None:
    targets = [("C1", Variant.TOP3), ("C2", Variant.FULL)]
    store.ensure_deliveries(DAY, Channel.SLACK, targets, TOTALS)
    one, two = sorted(store.claim(DAY, Channel.SLACK, "sender", 10, 60), key=lambda c: c.target)
    _send(store, "sender", one.id, 0, "1.1")
    _send(store, "sender", two.id, 0, "2.1")  # its thread reply is still to be sent

    assert store.plan_retraction(DAY) == 2
    [first] = store.claim_retractions(DAY, Channel.SLACK, "undo", 10, 60)
    assert (first.target, [p.message_id for p in first.parts]) == ("C1", ["1.1"])
    # Who keeps the rest waiting: the fan-out still sending C2 (and the retractor itself).
    assert store.retraction_owners(DAY, Channel.SLACK) == {"sender", "undo"}

    _send(store, "sender", two.id, 1, "2.2")
    [second] = store.claim_retractions(DAY, Channel.SLACK, "undo", 10, 60)
    assert [p.message_id for p in second.parts] == ["2.2", "2.1"], "the reply before its parent"
    for claimed in (first, second):
        for part in claimed.parts:
            _undo(store, "undo", claimed.id, part.index, Undo.DELETED)

    rows = {row.target: row for row in store.retraction_log(DAY)}
    assert (rows["C2"].state, rows["C2"].done, rows["C2"].parts) == (Undo.DELETED, 2, 2)
    assert store.retraction_summary(DAY) == {Channel.SLACK: {Undo.DELETED: 2}}
    assert store.plan_retraction(DAY) == 0, "planned once"
    assert store.claim_retractions(DAY, Channel.SLACK, "undo", 10, 60) == []


def test_what_never_left_is_skipped_and_owes_nothing(store: Store) -> None:
    store.ensure_deliveries(DAY, Channel.TELEGRAM, [("1001", Variant.FULL)], TOTALS)
    store.plan_retraction(DAY)
    assert store.claim(DAY, Channel.TELEGRAM, "sender", 10, 60) == [], "no fan-out sends it"
    assert store.claim_retractions(DAY, Channel.TELEGRAM, "undo", 10, 60) == []
    [row] = store.log(issue_date=DAY)
    assert row.status is Status.SKIPPED and row.last_error == "issue retracted"
    [undone] = store.retraction_log(DAY)
    assert undone.state is Undo.NOTHING and undone.parts == 0


def test_after_a_crash_a_deletion_is_made_again_but_a_notice_never(
    store: Store, clock: FakeClock
) -> None:
    store.ensure_deliveries(DAY, Channel.TELEGRAM, [("1001", Variant.TOP3)], TOTALS)
    store.ensure_deliveries(DAY, Channel.EMAIL, [("a@example.org", Variant.TOP3)], TOTALS)
    for channel, message_id in ((Channel.TELEGRAM, "7"), (Channel.EMAIL, "<m@x>")):
        [claimed] = store.claim(DAY, channel, "sender", 10, 60)
        _send(store, "sender", claimed.id, 0, message_id)
    store.plan_retraction(DAY)
    for channel in (Channel.TELEGRAM, Channel.EMAIL):
        [claimed] = store.claim_retractions(DAY, channel, "dead", 10, 60)
        assert store.record_undo_steps("dead", [UndoStep.in_flight(claimed.id, 0)]) == [True]
    clock.advance(120)  # the dead worker's leases run out

    [again] = store.claim_retractions(DAY, Channel.TELEGRAM, "next", 10, 60)
    assert [(p.message_id, p.attempts) for p in again.parts] == [("7", 1)]
    assert store.claim_retractions(DAY, Channel.EMAIL, "next", 10, 60) == []
    states = {row.channel: row.state for row in store.retraction_log(DAY)}
    assert states[Channel.EMAIL] is Undo.UNCERTAIN
    assert store.record_undo_steps("dead", [UndoStep.in_flight(again.id, 0)]) == [False]
    store.plan_retraction(DAY)  # a rerun reopens nothing here: the notice may have arrived
    assert store.claim_retractions(DAY, Channel.EMAIL, "next", 10, 60) == []


def test_mid_correction_every_message_shown_is_deleted_and_a_surplus_already_gone_is_not(
    store: Store,
) -> None:
    """Revision 2 has one part where revision 1 had three: the corrector edited part 0 and
    deleted part 1, then the issue was retracted before it got to part 2."""
    store.ensure_deliveries(DAY, Channel.TELEGRAM, [("1001", Variant.FULL)], {Variant.FULL: 3})
    [sent] = store.claim(DAY, Channel.TELEGRAM, "sender", 10, 60)
    for index in range(3):
        _send(store, "sender", sent.id, index, f"m{index}")
    store.release([sent.id], "sender")
    store.plan_revision(DAY, Channel.TELEGRAM, 2, lambda target, variant, form: 1)
    [fixing] = store.claim(DAY, Channel.TELEGRAM, "corrector", 10, 60, revision=2)
    assert [p.action for p in fixing.parts] == [
        PartAction.EDIT, PartAction.DELETE, PartAction.DELETE,
    ]  # fmt: skip
    _send(store, "corrector", fixing.id, 0, "m0")
    _send(store, "corrector", fixing.id, 1, "m1")  # the surplus part 1 is deleted
    store.release([fixing.id], "corrector")

    store.plan_retraction(DAY)
    [undo] = store.claim_retractions(DAY, Channel.TELEGRAM, "undo", 10, 60)
    assert [p.message_id for p in undo.parts] == ["m2", "m0"], "what the chat still shows"
