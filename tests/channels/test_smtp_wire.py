"""The SMTP commands and message written without aiosmtplib's per-message rewriting are
byte for byte what it would have written, and anything that does need rewriting (or
parsing) still goes through it."""

from __future__ import annotations

import pytest
from aiosmtplib.email import quote_address
from aiosmtplib.protocol import LINE_ENDINGS_REGEX, PERIOD_REGEX

from digestbot.channels.email_build import Sender, build_email
from digestbot.channels.smtp import _on_the_wire, _quoted
from digestbot.payloads import EmailMessage

SENDER = Sender("AI 日报 <digest@example.org>", "https://d.example.org/u", "secret")


def _as_aiosmtplib_writes(message: bytes) -> bytes:
    message = PERIOD_REGEX.sub(b"..", LINE_ENDINGS_REGEX.sub(b"\r\n", message))
    return message + (b"" if message.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def test_a_built_message_goes_out_as_aiosmtplib_would_write_it() -> None:
    payload = EmailMessage(subject="今日三条结论", text="推理成本下降\n.点\n", html="<p>x</p>")
    data = build_email(payload, SENDER, "reader@example.org").data
    assert _on_the_wire(data) == _as_aiosmtplib_writes(data)


@pytest.mark.parametrize("message", [b"", b"a\r\nb", b"a\r\n\r\nb\r\n"])
def test_messages_already_in_wire_form_only_get_their_end(message: bytes) -> None:
    assert _on_the_wire(message) == _as_aiosmtplib_writes(message)


@pytest.mark.parametrize("message", [b"a\nb\r\n", b"a\rb\r\n", b".a\r\n", b"a\r\n.b\r\n"])
def test_messages_that_need_rewriting_are_left_to_aiosmtplib(message: bytes) -> None:
    assert _on_the_wire(message) is None


@pytest.mark.parametrize("address", ["reader1@example.org", "a.b+c_d@x-y.example.org"])
def test_plain_addresses_are_quoted_as_aiosmtplib_quotes_them(address: str) -> None:
    assert _quoted(address) == quote_address(address).encode("ascii")


@pytest.mark.parametrize(
    "address",
    ["Bob <b@x.org>", "a..b@x.org", ".a@x.org", "读者@x.org", "a b@x.org", "a@x.org\r\nRSET"],
)
def test_addresses_that_need_parsing_are_left_to_aiosmtplib(address: str) -> None:
    assert _quoted(address) is None
