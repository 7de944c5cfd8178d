"""The fakes enforce what the real services enforce, so channel and delivery tests mean
something: rate limits, entity parsing, long polling, the standalone entry point."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from tests.conftest import REPO
from tests.fakes._server import free_port
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_html import EntityParseError, utf16_len, visible_text
from tests.fakes.telegram_server import TelegramFake, TelegramLimits


# Rate-limit tests stop the fakes' clock, so a slow machine cannot spread a burst over time.
def frozen_clock() -> float:
    return 1000.0


def _send(client: httpx.Client, fake: TelegramFake, chat_id: str, text: str = "hi") -> Any:
    url = f"{fake.url}/bot{fake.token}/sendMessage"
    return client.post(url, data={"chat_id": chat_id, "text": text, "parse_mode": "HTML"})


@pytest.mark.parametrize(
    ("limits", "chats", "accepted"),
    [
        (TelegramLimits(), ["42"] * 3, 1),  # 1/s per private chat
        (TelegramLimits(), ["-100500"] * 22, 20),  # 20/min per group
        (TelegramLimits(), [str(n) for n in range(35)], 30),  # 30/s across the bot
        (TelegramLimits.paid_broadcast(), [str(n) for n in range(35)], 35),
        (TelegramLimits.unlimited(), ["42"] * 5, 5),
    ],
    ids=["private", "group", "bot-wide", "paid-broadcast", "unlimited"],
)
def test_telegram_fake_answers_bursts_over_the_limit_with_429(
    limits: TelegramLimits, chats: list[str], accepted: int
) -> None:
    with TelegramFake(limits=limits, clock=frozen_clock) as fake, httpx.Client() as client:
        replies = [_send(client, fake, chat) for chat in chats]

    assert len(fake.messages) == accepted
    refused = [r for r in replies if r.status_code == 429]
    assert len(refused) == len(chats) - accepted == fake.rate_limited
    for reply in refused:
        body = reply.json()
        seconds = body["parameters"]["retry_after"]
        assert body["ok"] is False and body["error_code"] == 429
        assert body["description"] == f"Too Many Requests: retry after {seconds}"
        assert seconds >= 1


def test_telegram_fake_group_retry_after_reaches_to_the_end_of_the_minute() -> None:
    with TelegramFake(clock=frozen_clock) as fake, httpx.Client() as client:
        replies = [_send(client, fake, "-7") for _ in range(21)]

    assert replies[-1].json()["parameters"]["retry_after"] == 60


@pytest.mark.parametrize(
    ("source", "visible"),
    [
        ("<b>粗</b> &amp; &lt;i&gt; &#25991; &#x1F600;", "粗 & <i> 文 😀"),
        ('<a href="https://x.ai/?a=1&amp;b=2">链接</a>', "链接"),
        ('<pre><code class="language-py">x</code></pre>', "x"),
        ("AT&T > 3", "AT&T > 3"),  # a bare & or > is text, as in Telegram
        ('<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>', "sq"),
    ],
)
def test_html_parser_decodes_what_telegram_decodes(source: str, visible: str) -> None:
    assert visible_text(source) == visible


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Can\'t find end tag corresponding to start tag "i"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
)
def test_html_parser_rejects_what_telegram_rejects(source: str, problem: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        visible_text(source)
    assert str(caught.value) == problem


def test_telegram_fake_counts_the_limit_in_utf16_units_of_visible_text() -> None:
    emoji_text = "😀" * 2048  # 4096 UTF-16 units, 2048 code points
    with TelegramFake() as fake, httpx.Client() as client:
        fits = _send(client, fake, "1", f"<b>{emoji_text}</b>")
        too_long = _send(client, fake, "2", emoji_text + "x")
        empty = _send(client, fake, "3", "<b></b>")

    assert utf16_len(emoji_text) == 4096
    assert fits.status_code == 200
    assert too_long.json()["description"] == "Bad Request: message is too long"
    assert empty.json()["description"] == "Bad Request: message text is empty"


def test_telegram_fake_rejects_a_wrong_token_with_401() -> None:
    with TelegramFake() as fake, httpx.Client() as client:
        reply = client.post(f"{fake.url}/bot1:wrong/getMe")

    assert reply.status_code == 401
    assert reply.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_get_updates_long_polls_and_forgets_confirmed_updates() -> None:
    with TelegramFake(long_poll_cap=0.6) as fake:
        url = f"{fake.url}/bot{fake.token}/getUpdates"
        async with httpx.AsyncClient() as client:
            poll = asyncio.create_task(client.post(url, data={"timeout": "2"}))
            await asyncio.sleep(0.2)
            first = fake.push_message("42", "/today full")
            [update] = (await poll).json()["result"]
            again = (await client.post(url, data={"offset": str(first)})).json()["result"]
            after = (await client.post(url, data={"offset": str(first + 1)})).json()["result"]
            started = time.monotonic()
            empty = (await client.post(url, data={"timeout": "30"})).json()["result"]
            waited = time.monotonic() - started

    assert update["message"]["text"] == "/today full"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert [u["update_id"] for u in again] == [first]
    assert after == [] and empty == []
    assert waited < 10  # capped at long_poll_cap, not the 30 s asked for


def test_slack_fake_rate_limits_per_channel_with_retry_after_header() -> None:
    with SlackFake(clock=frozen_clock) as fake, httpx.Client() as client:
        url = f"{fake.api_url}chat.postMessage"
        headers = {"Authorization": f"Bearer {fake.token}"}
        replies = [
            client.post(url, headers=headers, json={"channel": ch, "text": "x"})
            for ch in ("C1", "C1", "C1", "C2")
        ]

    # ~1/s per channel and no burst: the app's pacing assumes none, so the fake allows none.
    assert [r.status_code for r in replies] == [200, 429, 429, 200]
    assert {r.headers["Retry-After"] for r in replies[1:3]} == {"1"}
    assert replies[1].json() == {"ok": False, "error": "ratelimited"}
    assert fake.rate_limited == 2
    assert len({p.ts for p in fake.posts}) == 2


def test_slack_fake_accepts_form_bodies_and_rejects_unknown_threads() -> None:
    with SlackFake() as fake, httpx.Client() as client:
        url = f"{fake.api_url}chat.postMessage"
        ok = client.post(url, data={"token": fake.token, "channel": "C1", "text": "x"})
        orphan = client.post(
            url, data={"token": fake.token, "channel": "C2", "text": "x", "thread_ts": "1.2"}
        )
        no_text = client.post(url, data={"token": fake.token, "channel": "C3"})

    assert ok.json()["ok"] is True
    assert orphan.json() == {"ok": False, "error": "thread_not_found"}
    assert no_text.json() == {"ok": False, "error": "no_text"}


def test_telegram_fake_runs_standalone_for_benchmarks() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_server", "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert f"127.0.0.1:{port}" in proc.stdout.readline()
        stats = httpx.get(f"http://127.0.0.1:{port}/_fake/stats").json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    assert stats == {
        "messages": 0,
        "rate_limited": 0,
        "rate_limited_by_chat": {},
        "requests": 0,
        "floods": [],
    }


async def test_telegram_fake_serves_the_bot_methods_commands_need() -> None:
    import telegram

    from digestbot.channels.telegram import bot_base_url

    # Unlimited: this checks the methods, and an edit right after its send counts against the
    # chat's 1/s like a second send would.
    with TelegramFake(limits=TelegramLimits.unlimited()) as fake:
        async with telegram.Bot(fake.token, base_url=bot_base_url(fake.url)) as bot:
            await bot.delete_webhook()
            await bot.set_my_commands([("today", "今日日报"), ("start", "订阅")])
            sent = await bot.send_message(42, "<b>v1</b>", parse_mode="HTML")
            edited = await bot.edit_message_text("v2", chat_id=42, message_id=sent.message_id)
            chat = await bot.get_chat(-1001)
            fake.push_callback_query("42", "variant:full", message_id=sent.message_id)
            [update] = await bot.get_updates(timeout=1)
            assert update.callback_query is not None
            await update.callback_query.answer("ok")

    assert [c["command"] for c in fake.commands] == ["today", "start"]
    assert isinstance(edited, telegram.Message) and edited.text == "v2"
    assert chat.type == "supergroup"
    assert update.callback_query.data == "variant:full"
    assert fake.answered_callbacks[0]["text"] == "ok"
