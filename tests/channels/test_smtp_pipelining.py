"""SMTP PIPELINING (RFC 2920): against a server that advertises it, MAIL, RCPT and DATA go
out in one write, the message only once the gate said yes, and refusals end exactly as on
the one-command-at-a-time path, which a server without PIPELINING still gets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from digestbot.channels import EmailChannel, PermanentError, TransientError
from digestbot.channels.email_build import BuiltMail, MailTemplates, Sender
from digestbot.channels.errors import ChannelError, Scope
from digestbot.channels.smtp import SmtpConnection, SmtpServer
from digestbot.payloads import EmailMessage
from tests.fakes.smtp_server import SmtpFake

MESSAGE = EmailMessage(subject="今日三条结论", text="推理成本下降\n", html="<p>推理成本下降</p>")
SENDER = Sender("AI 日报 <digest@example.org>", "https://d.example.org/u", "secret")


class _OneMail(MailTemplates):
    """Builds every message as the first one it built: same Message-ID and Date, so two
    sends can be compared byte for byte."""

    def __init__(self) -> None:
        super().__init__(SENDER)
        self.first: BuiltMail | None = None

    def build(self, payload: EmailMessage, to_addr: str) -> BuiltMail:
        if self.first is None:
            self.first = super().build(payload, to_addr)
        return self.first


@pytest.fixture
def plain_fake() -> Iterator[SmtpFake]:
    with SmtpFake(pipelining=False) as fake:
        yield fake


def _channel(fake: SmtpFake) -> EmailChannel:
    return EmailChannel(
        fake.host, fake.port, from_addr="AI 日报 <digest@example.org>", security="none",
        timeout=2.0, connections=1,
    )  # fmt: skip


@pytest.fixture
async def channel(smtp_fake: SmtpFake) -> AsyncIterator[EmailChannel]:
    ch = _channel(smtp_fake)
    await ch.open()
    yield ch
    await ch.close()


async def _send_with(fake: SmtpFake, templates: MailTemplates) -> None:
    server = SmtpServer(fake.host, fake.port, "digest@example.org", security="none", timeout=2)
    connection = SmtpConnection(server, templates)
    await connection.send("reader@example.org", MESSAGE)
    await connection.quit()


async def test_the_pipelined_message_is_byte_for_byte_the_one_sent_a_command_at_a_time(
    smtp_fake: SmtpFake, plain_fake: SmtpFake
) -> None:
    templates = _OneMail()
    await _send_with(smtp_fake, templates)
    await _send_with(plain_fake, templates)
    assert smtp_fake.pipelined == 1, "MAIL, RCPT and DATA were not written together"
    assert plain_fake.pipelined == 0, "pipelined to a server that did not offer it"
    [pipelined], [one_by_one] = smtp_fake.messages, plain_fake.messages
    assert pipelined.content == one_by_one.content
    assert pipelined.mail_from == one_by_one.mail_from == "digest@example.org"
    assert pipelined.rcpt_tos == one_by_one.rcpt_tos == ["reader@example.org"]


async def test_a_server_without_pipelining_gets_one_command_at_a_time(
    plain_fake: SmtpFake,
) -> None:
    ch = _channel(plain_fake)
    for n in range(3):
        await ch.send(f"reader{n}@example.org", MESSAGE)
    await ch.close()
    assert plain_fake.pipelined == 0
    assert [m.rcpt_tos for m in plain_fake.messages] == [
        [f"reader{n}@example.org"] for n in range(3)
    ]
    assert plain_fake.ehlo_count == 1


async def _refusal(fake: SmtpFake, code: int) -> ChannelError:
    """What a send to a recipient refused with `code` raises, pipelined or not."""
    fake.refuse("refused@example.org", code)
    ch = _channel(fake)
    try:
        with pytest.raises(ChannelError) as raised:
            await ch.send("refused@example.org", MESSAGE)
        await ch.send("next@example.org", MESSAGE)  # the same connection, still in step
    finally:
        await ch.close()
    assert [m.rcpt_tos for m in fake.messages] == [["next@example.org"]]
    assert fake.ehlo_count == 1, "the refusal cost the connection"
    with fake.lock:
        assert not fake.in_transaction
    return raised.value


@pytest.mark.parametrize(("code", "kind"), [(550, PermanentError), (450, TransientError)])
async def test_a_refused_recipient_ends_as_it_does_unpipelined_and_the_connection_goes_on(
    smtp_fake: SmtpFake, plain_fake: SmtpFake, code: int, kind: type[ChannelError]
) -> None:
    pipelined = await _refusal(smtp_fake, code)
    one_by_one = await _refusal(plain_fake, code)
    assert smtp_fake.pipelined == 2 and plain_fake.pipelined == 0
    for error in (pipelined, one_by_one):
        assert type(error) is kind and error.scope is Scope.TARGET
    assert (pipelined.code, pipelined.detail) == (one_by_one.code, one_by_one.detail)
    assert pipelined.code == str(code)


async def test_a_421_mid_pipeline_closes_the_connection_and_the_next_send_reconnects(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    smtp_fake.refuse("busy@example.org", 421, times=1)
    with pytest.raises(TransientError) as raised:
        await channel.send("busy@example.org", MESSAGE)
    assert raised.value.code == "421" and raised.value.scope is Scope.TARGET
    await channel.send("busy@example.org", MESSAGE)
    assert [m.rcpt_tos for m in smtp_fake.messages] == [["busy@example.org"]]
    assert smtp_fake.ehlo_count == 2, "the closed connection was not replaced"
    assert smtp_fake.pipelined == 2


async def test_a_gate_saying_no_after_a_pipelined_data_hangs_up_and_delivers_nothing(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    answered: list[bool] = []

    async def no() -> bool:
        await asyncio.sleep(0.1)  # the server has answered DATA with 354 by now
        answered.append(False)
        return False

    async with channel.slot() as connection:
        assert await connection.send_when("reader@example.org", MESSAGE, no) is None
        assert not connection.usable, "a connection waiting for a message was kept"
    await channel.send("next@example.org", MESSAGE)
    assert answered == [False]
    assert [m.rcpt_tos for m in smtp_fake.messages] == [["next@example.org"]]
    assert smtp_fake.ehlo_count == 2
