"""The fan-out's send path: requests leave as JSON over aiohttp (PTB's BaseRequest contract,
our transport) and an answer is read for its message_id only, with no PTB Message built."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from digestbot.channels import TelegramChannel
from digestbot.payloads import TelegramMessage
from tests.fakes.telegram_server import TelegramFake

DIGEST = TelegramMessage('<b>日报</b> <a href="https://x.ai/">源</a> <i>斜</i>')


@pytest.fixture
async def paid_channel(telegram_fake: TelegramFake) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(telegram_fake.token, telegram_fake.url, paid_broadcast=True)
    await channel.open()
    yield channel
    await channel.close()


async def test_a_send_leaves_as_one_json_body_with_native_values(
    paid_channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    await paid_channel.send("42", DIGEST, reply_to=None)

    [request] = [r for r in telegram_fake.requests if r.method == "sendMessage"]
    assert request.content_type == "application/json"
    assert request.params == {
        "chat_id": "42",  # the fake keys chats by their string form
        "text": DIGEST.text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "allow_paid_broadcast": True,
    }


async def test_a_send_reads_the_message_id_without_building_a_message(
    paid_channel: TelegramChannel, telegram_fake: TelegramFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fan-out built a PTB Message from a reply")

    monkeypatch.setattr(telegram.Message, "de_json", refuse)

    first = await paid_channel.send("42", DIGEST)
    second = await paid_channel.send("43", DIGEST)

    assert (first, second) == ("1", "1")
    assert [m.chat_id for m in telegram_fake.messages] == ["42", "43"]


async def test_a_part_after_the_first_answers_it_in_the_same_body(
    paid_channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    first = await paid_channel.send("-100555", DIGEST)
    await paid_channel.send("-100555", DIGEST, reply_to=first)

    sent = telegram_fake.messages_to("-100555")
    assert [m.reply_to_message_id for m in sent] == [None, int(first)]
    assert sent[1].params["reply_parameters"] == {
        "message_id": int(first),
        "allow_sending_without_reply": True,
    }
