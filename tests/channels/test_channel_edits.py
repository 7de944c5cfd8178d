"""Editing and deleting sent messages through the real clients (python-telegram-bot,
slack_sdk) against the fakes, and in the outbox: what each provider answer becomes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from digestbot.channels import OutboxChannel, SlackChannel, TelegramChannel
from digestbot.channels.base import Deletable, Editable
from digestbot.channels.errors import MessageFrozen, MessageGone
from digestbot.payloads import SlackMessage, TelegramMessage
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_server import TelegramFake, TelegramLimits

V1 = TelegramMessage("<b>AI 前沿发展日报</b> 增长 21%")
V2 = TelegramMessage("<b>AI 前沿发展日报</b> 增长 12% &amp; 更正")


def slack_message(text: str) -> SlackMessage:
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return SlackMessage(text=text, blocks=(section,))


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[TelegramChannel, TelegramFake]]:
    # Unlimited: these tests are about answers, not pacing (delivery paces edits).
    with TelegramFake(limits=TelegramLimits.unlimited()) as fake:
        channel = TelegramChannel(fake.token, fake.url)
        await channel.open()
        yield channel, fake
        await channel.close()


@pytest.fixture
async def slack() -> AsyncIterator[tuple[SlackChannel, SlackFake]]:
    with SlackFake(per_channel_per_second=None) as fake:
        channel = SlackChannel(fake.token, fake.api_url)
        await channel.open()
        yield channel, fake
        await channel.close()


async def test_telegram_edit_replaces_the_text_and_an_identical_edit_is_done(
    telegram: tuple[TelegramChannel, TelegramFake],
) -> None:
    channel, fake = telegram
    message_id = await channel.send("42", V1)

    await channel.edit("42", message_id, V2)
    await channel.edit("42", message_id, V2)  # Telegram: "message is not modified"

    [shown] = fake.shown_in("42")
    assert shown.text == V2.text and shown.parse_mode == "HTML"
    assert len(fake.edits) == 1
    assert fake.edits[0].params["link_preview_options"] == {"is_disabled": True}


async def test_telegram_edit_of_a_deleted_or_frozen_message_says_which(
    telegram: tuple[TelegramChannel, TelegramFake],
) -> None:
    channel, fake = telegram
    gone = await channel.send("42", V1)
    frozen = await channel.send("-100777", V1)
    fake.delete_message("42", int(gone))
    fake.refuse_edits("-100777")

    with pytest.raises(MessageGone, match=r"(?i)message to edit not found"):
        await channel.edit("42", gone, V2)
    with pytest.raises(MessageFrozen, match=r"(?i)message can.t be edited"):
        await channel.edit("-100777", frozen, V2)


async def test_telegram_delete_is_done_once_gone_and_refused_after_48_hours(
    telegram: tuple[TelegramChannel, TelegramFake],
) -> None:
    channel, fake = telegram
    first = await channel.send("42", V1)
    second = await channel.send("42", V2)

    await channel.delete("42", first)
    await channel.delete("42", first)  # "message to delete not found": already deleted
    fake.age("42", hours=49)
    with pytest.raises(MessageFrozen, match=r"(?i)message can.t be deleted"):
        await channel.delete("42", second)

    assert [m.text for m in fake.shown_in("42")] == [V2.text]
    assert fake.deletions == [("42", int(first))]


async def test_slack_update_replaces_parent_and_reply_with_the_blocks_on_the_wire(
    slack: tuple[SlackChannel, SlackFake],
) -> None:
    channel, fake = slack
    parent = await channel.send("C1", slack_message("v1 parent"))
    reply = await channel.send("C1", slack_message("v1 reply"), reply_to=parent)

    await channel.edit("C1", parent, slack_message("v2 parent"))
    await channel.edit("C1", reply, slack_message("v2 reply"))

    assert [(p.text, p.thread_ts) for p in fake.shown_in("C1")] == [
        ("v2 parent", None),
        ("v2 reply", parent),
    ]
    sent = fake.updates[0].params
    assert sent["ts"] == parent and sent["text"] == "v2 parent"
    blocks = sent["blocks"] if isinstance(sent["blocks"], list) else json.loads(sent["blocks"])
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "v2 parent"}}]


async def test_slack_refusals_map_to_gone_and_frozen_and_a_gone_delete_is_done(
    slack: tuple[SlackChannel, SlackFake],
) -> None:
    channel, fake = slack
    gone = await channel.send("C1", slack_message("v1"))
    kept = await channel.send("C2", slack_message("v1"))
    fake.member_deletes("C1", gone)
    fake.refuse_updates("C2")
    fake.refuse_deletes("C2")

    with pytest.raises(MessageGone, match="message_not_found"):
        await channel.edit("C1", gone, slack_message("v2"))
    await channel.delete("C1", gone)
    with pytest.raises(MessageFrozen, match="cant_update_message"):
        await channel.edit("C2", kept, slack_message("v2"))
    with pytest.raises(MessageFrozen, match="cant_delete_message"):
        await channel.delete("C2", kept)


async def test_outbox_records_edits_and_deletes_beside_the_message(tmp_path: Path) -> None:
    outbox = OutboxChannel(tmp_path, "telegram")
    message_id = await outbox.send("42", V1)

    await outbox.edit("42", message_id, V2)
    await outbox.edit("42", message_id, V1)
    await outbox.delete("42", message_id)
    await outbox.delete("42", message_id)

    folder = outbox.folder("42")
    edits = [json.loads((folder / f"{message_id}.edit-{n}.json").read_text()) for n in (1, 2)]
    assert [e["payload"]["text"] for e in edits] == [V2.text, V1.text]
    assert (folder / f"{message_id}.deleted.json").exists()
    with pytest.raises(MessageGone):
        await outbox.edit("42", "9999-1", V2)
    assert await outbox.send("42", V1) == "0002-1", "edits do not take a message number"


def test_the_channels_that_correct_in_place_say_so() -> None:
    for channel in (TelegramChannel("1:x"), SlackChannel("xoxb-x"), OutboxChannel(Path(), "x")):
        assert isinstance(channel, Editable) and isinstance(channel, Deletable)
