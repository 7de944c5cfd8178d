"""TelegramChannel through python-telegram-bot (its requests over aiohttp) against the local
Bot API fake."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator

import pytest

from digestbot.channels import (
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TargetGone,
    TelegramChannel,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.errors import ChannelError
from digestbot.channels.telegram import bot_base_url
from digestbot.payloads import SlackMessage, TelegramMessage
from tests.fakes._server import free_port
from tests.fakes.telegram_server import TelegramFake, TelegramLimits

MESSAGE = TelegramMessage(
    '<b>AI 前沿发展日报</b> 2026-04-16 &amp; <a href="https://x.ai/a?b=1&amp;c=2">源</a>'
)


@pytest.fixture
async def channel(telegram_fake: TelegramFake) -> AsyncIterator[TelegramChannel]:
    ch = TelegramChannel(telegram_fake.token, telegram_fake.url, read_timeout=0.3)
    await ch.open()
    yield ch
    await ch.close()


async def test_sends_html_without_link_preview_and_returns_the_message_id(
    channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    first = await channel.send("1001", MESSAGE)
    second = await channel.send("1002", MESSAGE)

    assert (first, second) == ("1", "1")  # message ids count per chat
    [sent] = telegram_fake.messages_to("1001")
    assert sent.text == MESSAGE.text
    assert sent.parse_mode == "HTML"
    assert sent.link_preview_options == {"is_disabled": True}


async def test_group_and_channel_usernames_are_accepted_as_targets(
    channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    await channel.send("-1001234567890", MESSAGE)
    await channel.send("@digest_channel", MESSAGE)

    assert [m.chat_id for m in telegram_fake.messages] == ["-1001234567890", "@digest_channel"]


@pytest.mark.parametrize(
    ("script", "expected", "detail"),
    [
        (lambda f: f.block("7"), TargetGone, "blocked by the user"),
        (lambda f: f.kick("7"), TargetGone, "kicked from the group"),
        (lambda f: f.forget("7"), PermanentError, "chat not found"),
        (lambda f: f.fail_next(1, status=502), TransientError, "Bad Gateway"),
        (lambda f: f.fail_next(1, status=500), TransientError, ""),
        (lambda f: f.drop("7"), UncertainDelivery, "ServerDisconnectedError"),
    ],
    ids=["blocked", "kicked", "chat-not-found", "bad-gateway", "server-error", "dropped"],
)
async def test_each_fault_maps_to_its_channel_error(
    channel: TelegramChannel,
    telegram_fake: TelegramFake,
    script: object,
    expected: type[ChannelError],
    detail: str,
) -> None:
    script(telegram_fake)  # type: ignore[operator]

    with pytest.raises(expected) as caught:
        await channel.send("7", MESSAGE)

    assert detail.lower() in caught.value.detail.lower()
    assert telegram_fake.messages_to("7") == []


async def test_bad_html_is_a_permanent_error_naming_the_parse_problem(
    channel: TelegramChannel,
) -> None:
    bad_tag = r"(?i)can't parse entities: unsupported start tag \"div\""
    with pytest.raises(PermanentError, match=bad_tag):
        await channel.send("7", TelegramMessage("<div>no</div>"))


async def test_rate_limit_maps_to_retry_after_with_the_servers_seconds(
    channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    await channel.send("7", MESSAGE)

    with pytest.raises(RetryAfter) as caught:
        await channel.send("7", MESSAGE)

    assert caught.value.seconds == 1
    assert telegram_fake.rate_limited == 1
    assert len(telegram_fake.messages_to("7")) == 1


async def test_migrated_group_reports_the_new_chat_id_which_then_works(
    channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    telegram_fake.migrate("-4001", "-1004001")

    with pytest.raises(ChatMigrated) as caught:
        await channel.send("-4001", MESSAGE)
    await channel.send(caught.value.new_chat_id, MESSAGE)

    assert caught.value.new_chat_id == "-1004001"
    assert [m.chat_id for m in telegram_fake.messages] == ["-1004001"]


async def test_read_timeout_is_uncertain_although_the_message_was_delivered(
    channel: TelegramChannel, telegram_fake: TelegramFake
) -> None:
    telegram_fake.slow("7", delay=1.0)

    with pytest.raises(UncertainDelivery, match="SocketTimeoutError"):
        await channel.send("7", MESSAGE)

    assert [m.text for m in telegram_fake.messages_to("7")] == [MESSAGE.text]


async def test_connection_refused_is_transient() -> None:
    dead = TelegramChannel(
        "123456789:AAHdeadTokenxxxxxxxxxxxxxxxxxxxxxxxx",
        f"http://127.0.0.1:{free_port()}",
        connect_timeout=0.5,
    )
    with pytest.raises(TransientError, match="ClientConnectorError"):
        await dead.open()
    await dead.close()


async def test_wrong_token_fails_open_permanently(telegram_fake: TelegramFake) -> None:
    wrong = TelegramChannel("999999999:AAHwrongTokenxxxxxxxxxxxxxxxxxxxxxxx", telegram_fake.url)

    with pytest.raises(PermanentError, match="invalid bot token"):
        await wrong.open()


@pytest.mark.parametrize("ptb_bot", [False, True], ids=["lean-getMe", "PTB-initialize"])
async def test_a_refused_tokens_error_carries_no_cause_that_names_the_token(
    telegram_fake: TelegramFake, ptb_bot: bool
) -> None:
    """InvalidToken's text names the token (PTB's `Bot.initialize()` and the lean getMe say
    it alike): chained to the channel's error, any traceback of it would print the token."""
    token = "wrong-token-without-token-shape-Zq81"
    wrong = TelegramChannel(token, telegram_fake.url)
    if ptb_bot:
        assert wrong.bot  # built first: open() then goes through PTB's own initialize()

    with pytest.raises(PermanentError, match="invalid bot token") as raised:
        await wrong.open()
    await wrong.close()

    assert token not in "".join(traceback.format_exception(raised.value))

async def test_refuses_payloads_of_other_channels(channel: TelegramChannel) -> None:
    with pytest.raises(TypeError):
        await channel.send("7", SlackMessage(text="x", blocks=()))


async def test_token_never_appears_in_logs_even_at_debug_with_faults(
    telegram_fake: TelegramFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ch = TelegramChannel(telegram_fake.token, telegram_fake.url, read_timeout=0.3)
    await ch.open()
    telegram_fake.fail_next(1)
    telegram_fake.block("8")
    telegram_fake.slow("9", delay=0.6)

    for target in ("7", "8", "9", "10"):
        try:
            await ch.send(target, MESSAGE)
        except ChannelError as exc:
            logging.getLogger("digestbot.test").exception("send failed: %s", exc)
    assert ch.bot.base_url  # PTB's Bot (an edit's, the bot's polling) logs its token URL
    await ch.close()

    secret = telegram_fake.token.split(":", 1)[1]
    assert caplog.records, "expected PTB/httpx debug output to check"
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in (record.exc_text or "")
    assert secret not in caplog.text
    assert "bot<redacted>" in caplog.text  # PTB does log the token URL; it arrives redacted


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("https://api.telegram.org", "https://api.telegram.org/bot"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/bot"),
        ("http://127.0.0.1:9/bot", "http://127.0.0.1:9/bot"),
        ("http://h/custom/{token}/x", "http://h/custom/{token}/x"),
    ],
)
def test_api_base_url_accepts_root_or_bot_prefix(configured: str, expected: str) -> None:
    assert bot_base_url(configured) == expected


def test_paid_broadcast_lifts_only_the_bot_wide_limit() -> None:
    limits = TelegramLimits.paid_broadcast()
    assert (limits.global_per_second, limits.private_per_second) == (1000, 1)
