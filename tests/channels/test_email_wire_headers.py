"""The headers mail providers parse, checked in the raw DATA bytes the SMTP server received.

Gmail's and Yahoo's one-click unsubscribe (RFC 2369/8058) read `List-Unsubscribe` as written:
an RFC 2047 encoded-word there is no link to them. So these tests never let Python's email
package decode a header before asserting on it; where a parsed view is checked, two parsers
(the stdlib's strict one and fast-mail-parser, a Rust implementation) must agree.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator

import fast_mail_parser
import pytest

from digestbot.channels import EmailChannel
from digestbot.channels.mail_headers import HARD_LINE
from digestbot.payloads import UNSUBSCRIBE_PLACEHOLDER, EmailMessage
from digestbot.unsubscribe_token import verify_unsubscribe_token
from tests.fakes.smtp_server import ReceivedMail, SmtpFake

SECRET = "unsubscribe-hmac-secret-for-tests"
UNSUBSCRIBE = "https://digest.example.com/unsubscribe"
FROM = "AI 前沿发展日报 <digest@example.org>"
MESSAGE = EmailMessage(
    subject="AI 前沿发展日报 · 2026-04-16 · 三条结论",
    text=f"今日三条结论\n退订: {UNSUBSCRIBE_PLACEHOLDER}\n",
    html=f'<p>今日三条结论</p><a href="{UNSUBSCRIBE_PLACEHOLDER}">退订</a>',
)


def raw_headers(mail: ReceivedMail) -> list[bytes]:
    """The header block's physical lines, exactly as received (no unfolding, no decoding)."""
    head = mail.content.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


def raw_field(mail: ReceivedMail, name: str) -> list[bytes]:
    """One field's physical lines: its first line and any folded continuation lines."""
    lines = raw_headers(mail)
    prefix = name.lower().encode() + b":"
    for n, line in enumerate(lines):
        if line.lower().startswith(prefix):
            end = n + 1
            while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
                end += 1
            return lines[n:end]
    raise AssertionError(f"no {name} header in {lines!r}")


async def _send(fake: SmtpFake, to: str = "reader@example.org", **overrides: str) -> ReceivedMail:
    kwargs: dict[str, str] = {
        "from_addr": FROM,
        "unsubscribe_url": UNSUBSCRIBE,
        "unsubscribe_secret": SECRET,
    }
    kwargs.update(overrides)
    channel = EmailChannel(fake.host, fake.port, security="none", **kwargs)  # type: ignore[arg-type]
    try:
        await channel.send(to, MESSAGE)
    finally:
        await channel.close()
    return fake.messages_to(to)[-1]


@pytest.fixture
async def received(smtp_fake: SmtpFake) -> AsyncIterator[ReceivedMail]:
    yield await _send(smtp_fake, "Reader@Example.org")


def test_list_unsubscribe_carries_the_https_link_literally(received: ReceivedMail) -> None:
    [line] = raw_field(received, "List-Unsubscribe")
    match = re.fullmatch(rb"List-Unsubscribe: <(https://[\x21-\x3b\x3d\x3f-\x7e]+)>", line)
    assert match, f"not a literal <https://...> link: {line!r}"
    link = match.group(1).decode("ascii")
    assert link.startswith(f"{UNSUBSCRIBE}?t=")
    assert verify_unsubscribe_token(SECRET, link.split("?t=", 1)[1]) == "Reader@Example.org"


def test_list_unsubscribe_post_announces_one_click(received: ReceivedMail) -> None:
    assert raw_field(received, "List-Unsubscribe-Post") == [
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    ]


def test_from_keeps_the_display_name_encoded_and_the_address_intact(
    received: ReceivedMail,
) -> None:
    lines = raw_field(received, "From")
    joined = b" ".join(line.strip() for line in lines)
    assert re.fullmatch(rb"From: AI =\?utf-8\?b\?[A-Za-z0-9+/=]+\?= <digest@example\.org>", joined)
    strict = email.message_from_bytes(received.content, policy=email.policy.strict)
    [address] = strict["From"].addresses
    other = fast_mail_parser.parse_email(received.content)
    assert (address.display_name, address.addr_spec) == ("AI 前沿发展日报", "digest@example.org")
    assert other.headers["From"] == [FROM]
    assert received.mail_from == "digest@example.org"  # the envelope stays the bare address


def test_list_id_names_the_list_after_the_sender(received: ReceivedMail) -> None:
    joined = b" ".join(line.strip() for line in raw_field(received, "List-Id"))
    assert re.fullmatch(
        rb"List-Id: AI =\?utf-8\?b\?[A-Za-z0-9+/=]+\?= <digest\.example\.org>", joined
    )
    strict = email.message_from_bytes(received.content, policy=email.policy.strict)
    other = fast_mail_parser.parse_email(received.content)
    assert str(strict["List-Id"]) == "AI 前沿发展日报 <digest.example.org>"
    assert other.headers["List-Id"] == ["AI 前沿发展日报 <digest.example.org>"]


def test_every_raw_header_is_ascii_and_within_the_hard_line_limit(
    received: ReceivedMail,
) -> None:
    for line in raw_headers(received):
        assert line.isascii() and len(line) <= HARD_LINE, line[:80]


async def test_the_longest_name_address_and_url_fit_the_line_limit_and_parse_the_same(
    smtp_fake: SmtpFake,
) -> None:
    # Long enough to fold; each CJK run fits one encoded-word (see encoded_phrase).
    name = "AI 前沿发展日报 - 每日产业情报 - 订阅者专享版 - Top 5 大事件 - 前沿研究速递 (beta)"
    longest = f"{'r' * 64}@{'sub.' * 46}example.org"  # 64 + 1 + 195 characters
    longest_url = f"https://digest.example.com/{'u' * 473}"  # the 500 characters config allows
    assert len(longest_url) == 500
    mail = await _send(
        smtp_fake, longest, from_addr=f"{name} <digest@example.org>", unsubscribe_url=longest_url
    )

    for line in raw_headers(mail):
        assert line.isascii() and len(line) <= HARD_LINE, line[:80]
    [unsubscribe] = raw_field(mail, "List-Unsubscribe")
    assert re.fullmatch(rb"List-Unsubscribe: <https://[^\s<>]+>", unsubscribe)
    strict = email.message_from_bytes(mail.content, policy=email.policy.strict)
    other = fast_mail_parser.parse_email(mail.content)
    assert strict["From"].addresses[0].display_name == name
    assert strict["From"].addresses[0].addr_spec == "digest@example.org"
    assert other.headers["From"] == [f"{name} <digest@example.org>"]
    link = unsubscribe.split(b"<", 1)[1].rstrip(b">").decode()
    assert verify_unsubscribe_token(SECRET, link.split("?t=", 1)[1]) == longest


async def test_an_ascii_display_name_with_specials_is_quoted(smtp_fake: SmtpFake) -> None:
    mail = await _send(smtp_fake, from_addr='"Daily, AI" <digest@example.org>')

    assert raw_field(mail, "From") == [b'From: "Daily, AI" <digest@example.org>']
