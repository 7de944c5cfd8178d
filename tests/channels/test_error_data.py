"""Channel errors carry what the provider said, read from the fakes' real answers: which
provider, its own error name, the HTTP status, and whether the failure concerns one target or
the whole channel (a bad token or login: no other target can succeed either)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from digestbot.channels import (
    ChannelError,
    ChatMigrated,
    EmailChannel,
    PermanentError,
    RetryAfter,
    Scope,
    SlackChannel,
    TargetGone,
    TelegramChannel,
    TransientError,
)
from digestbot.model import Channel
from digestbot.payloads import EmailMessage, SlackMessage, TelegramMessage
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake

TELEGRAM = TelegramMessage("<b>日报</b>")
SLACK = SlackMessage(
    text="日报", blocks=({"type": "section", "text": {"type": "mrkdwn", "text": "x"}},)
)
MAIL = EmailMessage(subject="日报", text="正文", html="<p>正文</p>")


def _said(error: ChannelError) -> tuple[Channel | None, int | None, Scope]:
    return error.provider, error.status, error.scope


@pytest.fixture
async def telegram(telegram_fake: TelegramFake) -> AsyncIterator[TelegramChannel]:
    ch = TelegramChannel(telegram_fake.token, telegram_fake.url, read_timeout=0.5)
    await ch.open()
    yield ch
    await ch.close()


@pytest.mark.parametrize(
    ("script", "expected", "status", "code"),
    [
        (lambda f: f.block("7"), TargetGone, 403, "blocked by the user"),
        (lambda f: f.forget("7"), PermanentError, 400, "chat not found"),
        (lambda f: f.fail_next(1, status=502), TransientError, 502, None),
        (lambda f: f.fail_next(1, status=500), TransientError, 500, None),
        (lambda f: f.migrate("7", "-1007"), ChatMigrated, 400, None),
    ],
    ids=["blocked", "chat-not-found", "502", "500", "migrated"],
)
async def test_telegram_errors_name_the_provider_status_and_description(
    telegram: TelegramChannel,
    telegram_fake: TelegramFake,
    script: Callable[[TelegramFake], Any],
    expected: type[ChannelError],
    status: int,
    code: str | None,
) -> None:
    script(telegram_fake)

    with pytest.raises(expected) as caught:
        await telegram.send("7", TELEGRAM)

    assert _said(caught.value) == (Channel.TELEGRAM, status, Scope.TARGET)
    if code is not None:
        assert caught.value.code is not None and code in caught.value.code.lower()


async def test_telegram_rate_limit_is_a_429_about_the_target(
    telegram: TelegramChannel,
) -> None:
    await telegram.send("7", TELEGRAM)
    with pytest.raises(RetryAfter) as caught:
        await telegram.send("7", TELEGRAM)
    assert _said(caught.value) == (Channel.TELEGRAM, 429, Scope.TARGET)
    assert caught.value.seconds == 1


async def test_a_wrong_telegram_token_is_a_channel_wide_401(telegram_fake: TelegramFake) -> None:
    wrong = TelegramChannel("999999999:AAHwrongTokenxxxxxxxxxxxxxxxxxxxxxxx", telegram_fake.url)

    with pytest.raises(PermanentError) as caught:
        await wrong.open()
    await wrong.close()

    assert _said(caught.value) == (Channel.TELEGRAM, 401, Scope.CHANNEL)
    assert caught.value.scope is Scope.CHANNEL


@pytest.fixture
async def slack(slack_fake: SlackFake) -> AsyncIterator[SlackChannel]:
    ch = SlackChannel(slack_fake.token, slack_fake.api_url, read_timeout=0.5)
    await ch.open()
    yield ch
    await ch.close()


@pytest.mark.parametrize(
    ("script", "expected", "status", "code"),
    [
        (lambda f: f.not_found("C7"), PermanentError, 200, "channel_not_found"),
        (lambda f: f.archive("C7"), TargetGone, 200, "is_archived"),
        (lambda f: f.remove_bot("C7"), TargetGone, 200, "not_in_channel"),
        (lambda f: f.fail_next(1, status=503), TransientError, 503, None),
    ],
    ids=["not-found", "archived", "not-in-channel", "503"],
)
async def test_slack_errors_carry_slacks_error_name_and_the_http_status(
    slack: SlackChannel,
    slack_fake: SlackFake,
    script: Callable[[SlackFake], Any],
    expected: type[ChannelError],
    status: int,
    code: str | None,
) -> None:
    script(slack_fake)

    with pytest.raises(expected) as caught:
        await slack.send("C7", SLACK)

    assert _said(caught.value) == (Channel.SLACK, status, Scope.TARGET)
    if code is not None:
        assert caught.value.code == code


async def test_an_invalid_slack_token_is_channel_wide(slack_fake: SlackFake) -> None:
    wrong = SlackChannel("xoxb-wrong-token-0000", slack_fake.api_url)

    with pytest.raises(PermanentError) as caught:
        await wrong.send("C0001", SLACK)
    await wrong.close()

    assert caught.value.code == "invalid_auth"
    assert _said(caught.value) == (Channel.SLACK, 200, Scope.CHANNEL)


def _mail(fake: SmtpFake, **overrides: Any) -> EmailChannel:
    return EmailChannel(
        fake.host, fake.port, from_addr="digest@news.example.com", security="none",
        timeout=0.5, **overrides,
    )


async def test_a_refused_recipient_is_about_that_recipient(smtp_fake: SmtpFake) -> None:
    smtp_fake.refuse("gone@example.org", 550)
    ch = _mail(smtp_fake)

    with pytest.raises(PermanentError) as caught:
        await ch.send("gone@example.org", MAIL)
    await ch.close()

    assert (caught.value.provider, caught.value.code) == (Channel.EMAIL, "550")
    assert caught.value.scope is Scope.TARGET and caught.value.status is None


async def test_a_failed_smtp_login_is_channel_wide(smtp_auth_fake: SmtpFake) -> None:
    ch = _mail(smtp_auth_fake, username="digest", password="definitely-wrong-pa55word")

    with pytest.raises(PermanentError) as caught:
        await ch.open()
    await ch.close()

    assert caught.value.provider is Channel.EMAIL
    assert caught.value.code == "535"
    assert caught.value.scope is Scope.CHANNEL
