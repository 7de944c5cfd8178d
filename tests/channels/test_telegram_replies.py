"""A split Telegram digest reads as one: parts 2+ answer part 1 (issue 9 point 12), checked
on the sendMessage requests the Bot API fake received."""

from __future__ import annotations

from pathlib import Path

import httpx

from digestbot.channels import TelegramChannel
from digestbot.delivery import publish
from digestbot.payloads import TelegramMessage
from digestbot.rendering import Renderer
from digestbot.store import Status, open_store
from tests.delivery.harness import load, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.rendering.builders import synthetic_issue


async def test_parts_after_the_first_reply_to_it_in_channels_groups_and_chats(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    targets = [("@ai_daily", "full"), ("-1001234567890", "full"), ("4242", "full")]
    config = load(
        write_config(
            tmp_path,
            store_url=f"sqlite:///{tmp_path}/ledger.db",
            telegram=telegram_fake,
            telegram_targets=targets,
            telegram_rate="per_chat_per_second = 20.0",
        )
    )
    issue = synthetic_issue(30)
    store = open_store(config.store.url.get_secret_value())
    try:
        report = await publish(issue, config, store, Renderer())
    finally:
        store.close()

    assert report.ledger["telegram"][Status.SENT] == 3
    for chat, _ in targets:
        messages = telegram_fake.messages_to(chat)
        assert len(messages) >= 3
        first = messages[0]
        assert first.reply_to_message_id is None
        assert [m.reply_to_message_id for m in messages[1:]] == [first.message_id] * (
            len(messages) - 1
        )
        assert messages[1].params["reply_parameters"] == {
            "message_id": first.message_id,
            "allow_sending_without_reply": True,
        }


async def test_a_deleted_first_part_does_not_stop_the_rest(telegram_fake: TelegramFake) -> None:
    channel = TelegramChannel(telegram_fake.token, telegram_fake.url + "/bot")
    try:
        first = await channel.send("@ai_daily", TelegramMessage("(1/2)\n<b>first</b>"))
        telegram_fake.delete_message("@ai_daily", int(first))
        await channel.send("@ai_daily", TelegramMessage("(2/2)\nsecond"), reply_to=first)
    finally:
        await channel.close()

    second = telegram_fake.messages_to("@ai_daily")[-1]
    assert second.text == "(2/2)\nsecond" and second.reply_to_message_id is None


def test_the_fake_refuses_a_reply_to_a_missing_message_like_telegram(
    telegram_fake: TelegramFake,
) -> None:
    url = f"{telegram_fake.url}/bot{telegram_fake.token}/sendMessage"
    sent = httpx.post(url, json={"chat_id": "-100777", "text": "one"}).json()["result"]
    ok = httpx.post(
        url,
        json={"chat_id": "-100777", "text": "two", "reply_parameters": {"message_id": 1}},
    )
    missing = httpx.post(
        url,
        json={"chat_id": "-100777", "text": "three", "reply_parameters": {"message_id": 99}},
    )
    legacy = httpx.post(
        url, json={"chat_id": "-100777", "text": "four", "reply_to_message_id": 99}
    )

    assert sent["message_id"] == 1
    assert ok.json()["result"]["reply_to_message"]["message_id"] == 1
    assert missing.status_code == 400
    assert missing.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message to be replied not found",
    }
    assert legacy.status_code == 400
    assert [m.text for m in telegram_fake.messages_to("-100777")] == ["one", "two"]

