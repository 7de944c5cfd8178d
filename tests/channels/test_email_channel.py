"""EmailChannel through aiosmtplib against a local aiosmtpd server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from email.message import EmailMessage as MimeMessage

import pytest

from digestbot.channels import (
    EmailChannel,
    PermanentError,
    TransientError,
    UncertainDelivery,
)
from digestbot.payloads import UNSUBSCRIBE_PLACEHOLDER, EmailMessage, SlackMessage
from digestbot.unsubscribe_token import verify_unsubscribe_token
from tests.fakes._server import free_port
from tests.fakes.smtp_server import SmtpFake

SECRET = "unsubscribe-hmac-secret-for-tests"
UNSUBSCRIBE = "https://digest.example.com/unsubscribe"
SUBJECT = "AI 前沿发展日报 · 2026-04-16：今日三条结论"
MESSAGE = EmailMessage(
    subject=SUBJECT,
    text=f"今日三条结论\n1. 推理成本下降\n退订: {UNSUBSCRIBE_PLACEHOLDER}\n",
    html=f'<h1>今日三条结论</h1><p>推理成本下降</p><a href="{UNSUBSCRIBE_PLACEHOLDER}">退订</a>',
)


def _channel(fake: SmtpFake, **overrides: object) -> EmailChannel:
    kwargs: dict[str, object] = {
        "from_addr": "Digest <digest@news.example.com>",
        "security": "none",
        "unsubscribe_url": UNSUBSCRIBE,
        "unsubscribe_secret": SECRET,
        "timeout": 0.5,
    }
    kwargs.update(overrides)
    return EmailChannel(fake.host, fake.port, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def channel(smtp_fake: SmtpFake) -> AsyncIterator[EmailChannel]:
    ch = _channel(smtp_fake)
    await ch.open()
    yield ch
    await ch.close()


def _parts(mail: MimeMessage) -> list[str]:
    return [part.get_content_type() for part in mail.iter_parts()]


async def test_sends_multipart_text_then_html_with_cjk_subject_and_returns_message_id(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    message_id = await channel.send("reader@example.org", MESSAGE)

    [received] = smtp_fake.messages
    mail = received.parsed
    assert received.rcpt_tos == ["reader@example.org"]
    assert mail["Subject"] == SUBJECT
    assert mail["Message-ID"] == message_id
    assert message_id.endswith("@news.example.com>")
    assert mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    assert _parts(mail) == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in mail.iter_parts())
    # The raw bytes are 7-bit: CJK travels as encoded words / transfer encodings.
    assert received.content.isascii()


async def test_unsubscribe_headers_and_footer_carry_a_token_for_this_recipient(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    await channel.send("Reader@Example.org", MESSAGE)

    mail = smtp_fake.messages[0].parsed
    header = str(mail["List-Unsubscribe"])
    assert header.startswith(f"<{UNSUBSCRIBE}?t=") and header.endswith(">")
    link = header[1:-1]
    token = link.split("?t=", 1)[1]
    assert verify_unsubscribe_token(SECRET, token) == "Reader@Example.org"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = (part.get_content() for part in mail.iter_parts())
    assert link in text and UNSUBSCRIBE_PLACEHOLDER not in text
    assert link in html and UNSUBSCRIBE_PLACEHOLDER not in html


async def test_one_connection_serves_many_recipients(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    for n in range(3):
        await channel.send(f"r{n}@example.org", MESSAGE)

    assert smtp_fake.ehlo_count == 1
    assert [m.rcpt_tos for m in smtp_fake.messages] == [[f"r{n}@example.org"] for n in range(3)]
    assert len({m.parsed["Message-ID"] for m in smtp_fake.messages}) == 3


async def test_concurrent_sends_spread_over_the_configured_connections_and_no_more(
    smtp_fake: SmtpFake,
) -> None:
    channel = _channel(smtp_fake, connections=3)
    addresses = [f"c{n}@example.org" for n in range(12)]

    ids = await asyncio.gather(*(channel.send(a, MESSAGE) for a in addresses))
    await channel.close()

    assert len(set(ids)) == len(addresses)
    assert sorted(m.rcpt_tos[0] for m in smtp_fake.messages) == sorted(addresses)
    assert smtp_fake.peak_connections == 3
    assert len({m.session for m in smtp_fake.messages}) == 3


async def test_a_slot_holds_a_logged_in_connection_that_only_its_holder_sends_on(
    smtp_auth_fake: SmtpFake,
) -> None:
    channel = _channel(
        smtp_auth_fake, username="digest", password=smtp_auth_fake.password, connections=2
    )
    async with channel.slot() as first, channel.slot() as second:
        assert smtp_auth_fake.auth_attempts == 2, "connected and logged in before the send"
        assert first is not second
        third = asyncio.ensure_future(channel.send("waits@example.org", MESSAGE))
        await asyncio.sleep(0.2)
        assert not third.done(), "a third send waits for a free connection"
        await first.send("a@example.org", MESSAGE)
    await third
    await channel.close()

    assert smtp_auth_fake.peak_connections == 2
    assert len(smtp_auth_fake.messages) == 2


async def test_421_closes_that_connection_only_and_the_next_send_opens_a_new_one(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    smtp_fake.refuse("busy@example.org", 421, times=1)

    with pytest.raises(TransientError, match="421"):
        await channel.send("busy@example.org", MESSAGE)
    await channel.send("busy@example.org", MESSAGE)

    assert [m.rcpt_tos for m in smtp_fake.messages] == [["busy@example.org"]]
    assert smtp_fake.ehlo_count == 2


@pytest.mark.parametrize(
    ("code", "expected"),
    [(450, TransientError), (451, TransientError), (550, PermanentError), (553, PermanentError)],
)
async def test_refused_recipient_maps_by_code_and_the_connection_keeps_working(
    channel: EmailChannel, smtp_fake: SmtpFake, code: int, expected: type[Exception]
) -> None:
    smtp_fake.refuse("refused@example.org", code)

    with pytest.raises(expected, match=str(code)):
        await channel.send("refused@example.org", MESSAGE)
    await channel.send("fine@example.org", MESSAGE)

    assert [m.rcpt_tos for m in smtp_fake.messages] == [["fine@example.org"]]
    assert smtp_fake.ehlo_count == 1


async def test_timeout_after_data_is_uncertain_and_the_next_send_reconnects(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    smtp_fake.stall_data(1.0)
    with pytest.raises(UncertainDelivery):
        await channel.send("slow@example.org", MESSAGE)
    smtp_fake.stall_data(0)

    await channel.send("next@example.org", MESSAGE)

    assert [m.rcpt_tos for m in smtp_fake.messages] == [["slow@example.org"], ["next@example.org"]]
    assert smtp_fake.ehlo_count == 2


async def test_auth_login_with_the_right_password_sends(smtp_auth_fake: SmtpFake) -> None:
    ch = _channel(smtp_auth_fake, username="digest", password=smtp_auth_fake.password)

    await ch.send("reader@example.org", MESSAGE)
    await ch.close()

    assert len(smtp_auth_fake.messages) == 1


async def test_wrong_password_is_permanent_and_never_logged(
    smtp_auth_fake: SmtpFake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "definitely-wrong-pa55word"
    ch = _channel(smtp_auth_fake, username="digest", password=wrong)

    with pytest.raises(PermanentError, match="authentication failed") as caught:
        await ch.open()
    logging.getLogger("digestbot.test").error("login failed: %s (%s)", caught.value, wrong)
    await ch.close()

    assert wrong not in caplog.text
    assert smtp_auth_fake.messages == []


async def test_server_without_auth_requirement_refuses_unauthenticated_send(
    smtp_auth_fake: SmtpFake,
) -> None:
    ch = _channel(smtp_auth_fake)

    with pytest.raises(PermanentError, match="530"):
        await ch.send("reader@example.org", MESSAGE)
    await ch.close()


async def test_connection_refused_is_transient() -> None:
    ch = EmailChannel("127.0.0.1", free_port(), from_addr="d@example.com", security="none")

    with pytest.raises(TransientError):
        await ch.send("reader@example.org", MESSAGE)
    await ch.close()


async def test_starttls_with_the_servers_certificate() -> None:
    with SmtpFake(starttls=True) as fake:
        ch = _channel(fake, security="starttls", tls_context=fake.client_tls_context())
        await ch.send("reader@example.org", MESSAGE)
        await ch.close()

        assert len(fake.messages) == 1


async def test_refuses_payloads_of_other_channels(channel: EmailChannel) -> None:
    with pytest.raises(TypeError):
        await channel.send("reader@example.org", SlackMessage(text="x", blocks=()))
