"""`SmtpConnection.send_when`: MAIL and RCPT go out while the fan-out commits the in-flight
mark, the message only once it is committed; a mark refused sends nothing and (unpipelined)
leaves the connection usable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from digestbot.channels import EmailChannel, PermanentError
from digestbot.channels.base import Enveloped
from digestbot.payloads import EmailMessage
from tests.fakes.smtp_server import SmtpFake

MESSAGE = EmailMessage(subject="今日三条结论", text="推理成本下降\n", html="<p>推理成本下降</p>")


@pytest.fixture
async def channel(smtp_fake: SmtpFake) -> AsyncIterator[EmailChannel]:
    ch = EmailChannel(
        smtp_fake.host, smtp_fake.port, from_addr="digest@example.org", security="none",
        timeout=2.0, connections=1,
    )  # fmt: skip
    await ch.open()
    yield ch
    await ch.close()


class Gate:
    """Says `answer` after `seconds`, noting what the server had seen meanwhile."""

    def __init__(self, fake: SmtpFake, answer: bool, seconds: float = 0.2) -> None:
        self.fake, self.answer, self.seconds = fake, answer, seconds
        self.calls = 0
        self.envelope_seen = False
        self.messages_before = -1

    async def __call__(self) -> bool:
        self.calls += 1
        await asyncio.sleep(self.seconds)
        with self.fake.lock:
            self.envelope_seen = bool(self.fake.in_transaction)
        self.messages_before = len(self.fake.messages)
        return self.answer


async def test_the_envelope_goes_out_while_the_gate_decides_and_data_only_after(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    gate = Gate(smtp_fake, True)
    async with channel.slot() as connection:
        assert isinstance(connection, Enveloped)
        message_id = await connection.send_when("reader@example.org", MESSAGE, gate)
    assert gate.calls == 1
    assert gate.envelope_seen, "MAIL was not on the server while the gate was deciding"
    assert gate.messages_before == 0, "DATA left before the gate said yes"
    [received] = smtp_fake.messages
    assert received.rcpt_tos == ["reader@example.org"]
    assert received.parsed["Message-ID"] == message_id


async def test_a_gate_saying_no_sends_nothing_and_the_connection_sends_the_next() -> None:
    # Without PIPELINING, DATA is not asked before the gate said yes, so RSET can take the
    # envelope back (pipelined, the connection hangs up: test_smtp_pipelining).
    with SmtpFake(pipelining=False) as smtp_fake:
        ch = EmailChannel(
            smtp_fake.host, smtp_fake.port, from_addr="digest@example.org", security="none",
            timeout=2.0, connections=1,
        )  # fmt: skip
        try:
            await _refused_then_next(ch, smtp_fake)
        finally:
            await ch.close()


async def _refused_then_next(channel: EmailChannel, smtp_fake: SmtpFake) -> None:
    gate = Gate(smtp_fake, False)
    async with channel.slot() as connection:
        assert isinstance(connection, Enveloped)
        assert await connection.send_when("reader@example.org", MESSAGE, gate) is None
        assert gate.calls == 1 and smtp_fake.messages == []
        with smtp_fake.lock:
            assert not smtp_fake.in_transaction, "the abandoned transaction was not reset"
        await connection.send("next@example.org", MESSAGE)
    assert [m.rcpt_tos for m in smtp_fake.messages] == [["next@example.org"]]
    assert len(smtp_fake.sessions) <= 1  # the same connection, not a new one


async def test_a_refused_recipient_is_raised_only_when_the_gate_let_it_leave(
    channel: EmailChannel, smtp_fake: SmtpFake
) -> None:
    smtp_fake.refuse("gone@example.org", 550)
    async with channel.slot() as connection:
        assert isinstance(connection, Enveloped)
        kept = Gate(smtp_fake, False, seconds=0.0)
        assert await connection.send_when("gone@example.org", MESSAGE, kept) is None
        let_go = Gate(smtp_fake, True, seconds=0.0)
        with pytest.raises(PermanentError):
            await connection.send_when("gone@example.org", MESSAGE, let_go)
    assert kept.calls == let_go.calls == 1
    assert smtp_fake.messages == []
