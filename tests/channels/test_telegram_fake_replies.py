"""The Telegram fake answers sendMessage like the Bot API does: a Message as heavy as the real
one (the parsed text's entities with UTF-16 offsets, the preview options), and the bot-wide
limit as Telegram applies it to paid broadcasts (`allow_paid_broadcast`: up to 1,000/s; without
it, a message over ~30/s is a 429 with retry_after)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.telegram_html import parse_html
from tests.fakes.telegram_server import TelegramFake, TelegramLimits


def frozen_clock() -> float:
    return 1000.0


def _send(client: httpx.Client, fake: TelegramFake, chat_id: str, **params: Any) -> Any:
    url = f"{fake.url}/bot{fake.token}/sendMessage"
    body = {"chat_id": chat_id, "text": "<b>日报</b>", "parse_mode": "HTML", **params}
    return client.post(url, json=body)


def test_sent_message_echoes_entities_with_utf16_offsets() -> None:
    source = (
        '<b>日报</b> 😀 <i>斜<b>粗</b></i> <a href="https://x.ai/?a=1&amp;b=2">链接</a> '
        '<code>x&lt;y</code> <pre><code class="language-py">p</code></pre> <span>plain</span>'
    )
    with TelegramFake() as fake, httpx.Client() as client:
        reply = _send(client, fake, "42", text=source, link_preview_options={"is_disabled": True})

    result = reply.json()["result"]
    assert result["text"] == "日报 😀 斜粗 链接 x<y p plain"
    # 😀 is two UTF-16 units: everything after it is one further on than its code points.
    assert result["entities"] == [
        {"offset": 0, "length": 2, "type": "bold"},
        {"offset": 6, "length": 2, "type": "italic"},
        {"offset": 7, "length": 1, "type": "bold"},
        {"offset": 9, "length": 2, "type": "text_link", "url": "https://x.ai/?a=1&b=2"},
        {"offset": 12, "length": 3, "type": "code"},
        {"offset": 16, "length": 1, "type": "pre", "language": "py"},
    ]
    assert result["link_preview_options"] == {"is_disabled": True}


def test_plain_text_has_no_entities_and_edits_echo_them_too() -> None:
    with TelegramFake(limits=TelegramLimits.unlimited()) as fake, httpx.Client() as client:
        plain = _send(client, fake, "42", text="<b>not parsed</b>", parse_mode=None).json()
        edit = client.post(
            f"{fake.url}/bot{fake.token}/editMessageText",
            json={"chat_id": "42", "message_id": 1, "text": "<u>新</u>", "parse_mode": "HTML"},
        ).json()

    assert "entities" not in plain["result"]
    assert edit["result"]["entities"] == [{"offset": 0, "length": 1, "type": "underline"}]


@pytest.mark.parametrize(
    ("flag", "chats", "accepted"),
    [
        (None, 35, 30),  # the free bot-wide rate: a burst of 30, then 429
        (False, 35, 30),
        (True, 35, 35),  # paid: past 30/s
        ("true", 35, 35),  # a form body's "true" is the same flag
    ],
    ids=["absent", "false", "paid", "paid-form-value"],
)
def test_only_paid_broadcasts_pass_the_free_bot_wide_rate(
    flag: object, chats: int, accepted: int
) -> None:
    extra = {} if flag is None else {"allow_paid_broadcast": flag}
    with TelegramFake(clock=frozen_clock) as fake, httpx.Client() as client:
        replies = [_send(client, fake, str(100 + n), **extra) for n in range(chats)]

    assert len(fake.messages) == accepted == sum(r.status_code == 200 for r in replies)
    for reply in replies[accepted:]:
        body = reply.json()
        assert (reply.status_code, body["error_code"]) == (429, 429)
        assert body["parameters"]["retry_after"] >= 1
        assert body["description"].startswith("Too Many Requests: retry after ")


def test_paid_broadcasts_stop_at_the_paid_rate_and_keep_per_chat_limits() -> None:
    # The paid rate scaled down (1,000/s in TelegramLimits) so a frozen second needs few requests.
    limits = TelegramLimits(paid_per_second=50)
    with TelegramFake(clock=frozen_clock, limits=limits) as fake, httpx.Client() as client:
        fifty = [_send(client, fake, str(100 + n), allow_paid_broadcast=True) for n in range(50)]
        over = _send(client, fake, "999", allow_paid_broadcast=True)
        same_chat = _send(client, fake, "100", allow_paid_broadcast=True)

    assert TelegramLimits().paid_per_second == 1000
    assert all(r.status_code == 200 for r in fifty)
    assert over.status_code == 429 and same_chat.status_code == 429
    assert fake.rate_limited_by_chat == {"999": 1, "100": 1}


def test_free_messages_wait_while_a_paid_broadcast_runs_and_pass_after_it() -> None:
    now = [1000.0]
    with TelegramFake(clock=lambda: now[0]) as fake, httpx.Client() as client:
        paid = [_send(client, fake, str(100 + n), allow_paid_broadcast=True) for n in range(60)]
        during = _send(client, fake, "1")
        now[0] += 1.0  # the broadcast is over: the free bucket refilled, never in debt
        after = [_send(client, fake, str(200 + n)) for n in range(30)]

    assert all(r.status_code == 200 for r in paid)
    assert during.status_code == 429 and during.json()["parameters"]["retry_after"] == 1
    assert [r.status_code for r in after] == [200] * 30


def test_the_parser_reports_nothing_for_empty_or_unformatted_tags() -> None:
    assert parse_html("<b></b>x<span>y</span>") == ("xy", [])
    spoiler_quote = '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    text, entities = parse_html(spoiler_quote)
    assert text == "sq"
    assert [e["type"] for e in entities] == ["spoiler", "expandable_blockquote"]
