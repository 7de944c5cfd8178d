"""A correction that changes how many parts a digest takes: 2 parts → 3 (the extra one sent as
a reply to the first) → 1 (the surplus deleted), read back from the Telegram fake."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from digestbot.delivery import Revision, publish
from digestbot.model import Channel, Issue, Variant
from digestbot.rendering import Audience, Renderer
from digestbot.store import PartAction, open_store
from tests.delivery.harness import load, sample_issue, write_config
from tests.fakes.telegram_server import TelegramFake

GROUP = "-100777"


def _with_parts(renderer: Renderer, base: Issue, wanted: int) -> Issue:
    """`base` with its analysis grown or cut until the group's full digest takes `wanted`
    Telegram parts."""
    paragraph = base.analysis[0]
    for copies in range(0, 60):
        issue = dataclasses.replace(base, analysis=(paragraph,) * copies)
        if len(renderer.telegram(issue, Variant.FULL, Audience.BROADCAST)) == wanted:
            return issue
    raise AssertionError(f"no analysis length renders as {wanted} parts")


async def test_a_correction_turns_two_parts_into_three_and_back_into_one(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=[(GROUP, "full")],
        )
    )
    renderer = Renderer()
    base = sample_issue()
    two, three = _with_parts(renderer, base, 2), _with_parts(renderer, base, 3)
    one = _with_parts(renderer, dataclasses.replace(base, events=base.events[:1]), 1)
    store = open_store(config.store.url.get_secret_value())
    try:
        await publish(two, config, store, renderer, revision=Revision(1))
        first = [m.message_id for m in telegram_fake.shown_in(GROUP)]
        assert len(first) == 2

        grown = await publish(three, config, store, renderer, revision=Revision(2, {1: two}))
        shown = telegram_fake.shown_in(GROUP)
        assert grown.runs[Channel.TELEGRAM].actions == {PartAction.EDIT: 2, PartAction.SEND: 1}
        assert [m.message_id for m in shown][:2] == first  # edited in place
        assert shown[2].reply_to == first[0]  # the extra part threads under the first
        expected = renderer.telegram(three, Variant.FULL, Audience.BROADCAST)
        assert [m.text for m in shown] == [p.text for p in expected]

        shrunk = await publish(
            one, config, store, renderer, revision=Revision(3, {1: two, 2: three})
        )
        assert shrunk.runs[Channel.TELEGRAM].actions == {
            PartAction.EDIT: 1,
            PartAction.DELETE: 2,
        }
        shown = telegram_fake.shown_in(GROUP)
        assert [m.message_id for m in shown] == first[:1]
        assert [m.text for m in shown] == [
            p.text for p in renderer.telegram(one, Variant.FULL, Audience.BROADCAST)
        ]
        assert len(telegram_fake.messages) == 3  # two first, one extra: nothing resent
        (row,) = store.log()
        assert (row.revision, row.held_revision) == (3, 3)
    finally:
        store.close()


async def test_a_message_that_can_no_longer_be_edited_arrives_anew_marked_as_a_correction(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    chat = "4242"
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=[(chat, "top3")],
        )
    )
    renderer = Renderer()
    old = sample_issue()
    new = dataclasses.replace(old, conclusions=(*old.conclusions[:-1], "更正后的第三条结论。"))
    store = open_store(config.store.url.get_secret_value())
    try:
        await publish(old, config, store, renderer, revision=Revision(1))
        telegram_fake.refuse_edits(chat)
        report = await publish(new, config, store, renderer, revision=Revision(2, {1: old}))
        (row,) = store.log()
    finally:
        store.close()
    assert report.runs[Channel.TELEGRAM].resent == 1
    messages = telegram_fake.messages_to(chat)
    assert len(messages) == 2
    assert messages[1].text.startswith("<b>更正</b>\n") and "更正后的第三条结论" in messages[1].text
    assert row.held_revision == 2 and "could not edit" in (row.last_error or "")
