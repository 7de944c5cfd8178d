"""sendMessage bodies spliced per chat read as the parameters PTB's send_message builds."""

from __future__ import annotations

import json

import pytest

from digestbot.channels.telegram_bodies import MAX_CACHED, SendBodies
from digestbot.payloads import InlineButton, InlineKeyboard, TelegramMessage

PART = TelegramMessage(
    '<b>日报</b> "quoted" \\ back', keyboard=InlineKeyboard(((InlineButton("More", "more:1"),),))
)


def test_a_body_is_the_parts_fields_with_the_chat() -> None:
    body = json.loads(SendBodies(paid=False).body("-100123", PART, None))
    assert body == {
        "chat_id": -100123,
        "text": PART.text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "reply_markup": {"inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]},
    }


def test_channels_by_username_replies_and_paid_broadcast() -> None:
    bodies = SendBodies(paid=True)
    first = json.loads(bodies.body("@digest", PART, None))
    reply = json.loads(bodies.body("42", PART, "7"))
    assert first["chat_id"] == "@digest" and first["allow_paid_broadcast"] is True
    assert "reply_parameters" not in first
    assert reply["chat_id"] == 42
    assert reply["reply_parameters"] == {"message_id": 7, "allow_sending_without_reply": True}
    assert reply["text"] == PART.text and reply["allow_paid_broadcast"] is True


def test_the_utf8_is_not_escaped_and_other_parts_get_their_own_body() -> None:
    bodies = SendBodies(paid=False)
    assert "日报".encode() in bodies.body("1", PART, None)
    plain = TelegramMessage("plain", parse_mode=None, disable_link_preview=False)
    assert json.loads(bodies.body("1", plain, None)) == {"chat_id": 1, "text": "plain"}
    for n in range(MAX_CACHED + 5):  # past the cache's bound every part still gets its own
        assert json.loads(bodies.body("1", TelegramMessage(f"t{n}"), None))["text"] == f"t{n}"


def test_the_sent_message_id_is_read_from_any_spacing_or_order() -> None:
    from digestbot.channels.errors import UncertainDelivery
    from digestbot.channels.telegram import _message_id

    assert _message_id(b'{"ok":true,"result":{"message_id":18,"text":"x"}}') == "18"
    assert _message_id(b'{"ok": true, "result": {"message_id": 17, "from": {}}}') == "17"
    assert _message_id(b'{"result":{"chat":{"id":5},"message_id":19},"ok":true}') == "19"
    for unreadable in (b'{"ok":true,"result":true}', b"<html>", b'{"ok":true,"result":{}}'):
        with pytest.raises(UncertainDelivery):
            _message_id(unreadable)
