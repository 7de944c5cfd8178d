"""SMTP PIPELINING (RFC 2920) over an aiosmtplib connection: MAIL, RCPT and DATA go out in
one write and their three replies are read in order, so a message costs two round trips
(envelope, then the message) instead of four. aiosmtplib keeps connecting, EHLO, STARTTLS
and AUTH; it cannot pipeline by itself (4.0.2 keeps only the first of replies that arrive
together), which `_PipeliningProtocol` mends."""

from __future__ import annotations

from typing import Any

import aiosmtplib
from aiosmtplib import SMTPResponse, SMTPStatus
from aiosmtplib.protocol import SMTPProtocol

CLOSING = 421  # the server is closing the connection (RFC 5321 3.8)


class _PipeliningProtocol(SMTPProtocol):
    """aiosmtplib's protocol, keeping every reply: its own drops bytes that arrive while no
    command waits, and leaves a second reply of one packet in the buffer until more come."""

    def data_received(self, data: bytes) -> None:
        waiter = self._response_waiter
        if waiter is not None and waiter.done():
            self._buffer.extend(data)  # the answer to a command written together with one before
            return
        super().data_received(data)

    async def read_response(
        self,
        timeout: float | None = None,  # noqa: ASYNC109 (aiosmtplib's signature, overridden)
    ) -> SMTPResponse:
        if b"\n" in self._buffer:
            response = self._read_response_from_buffer()
            if response is not None:
                return response
        return await super().read_response(timeout)


def pipelines(smtp: aiosmtplib.SMTP) -> bool:
    """Whether commands may be written together on this greeted connection; the first time
    it says yes, the connection's protocol learns to keep every reply."""
    protocol = smtp.protocol
    if protocol is None or smtp.is_ehlo_or_helo_needed:
        return False
    if not smtp.supports_extension("pipelining"):
        return False
    if type(protocol) is SMTPProtocol:
        # aiosmtplib creates its protocol itself (`SMTP._create_connection`); the subclass
        # adds behaviour, no state, so the object can take it on in place.
        retyped: Any = protocol
        retyped.__class__ = _PipeliningProtocol
    return isinstance(protocol, _PipeliningProtocol)


async def open_data(
    smtp: aiosmtplib.SMTP, mail_from: bytes, recipient: bytes, target: str, sender: str
) -> None:
    """MAIL, RCPT and DATA in one write; returns once the server waits for the message
    (354). Refusals raise what aiosmtplib's `mail`, `rcpt` and `data` raise one command at a
    time - the first refused command's - after all three replies are read, so the connection
    stays in step (the server answers DATA 503/554 when the envelope was refused). A 421, or
    a DATA accepted after a refused envelope, closes the connection: its state is lost."""
    protocol = smtp.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    protocol.write(b"MAIL FROM:" + mail_from + b"\r\nRCPT TO:" + recipient + b"\r\nDATA\r\n")
    refused: aiosmtplib.SMTPResponseException | None = None
    for command in ("MAIL", "RCPT", "DATA"):
        try:
            reply = await protocol.read_response(timeout=smtp.timeout)
        except aiosmtplib.SMTPServerDisconnected:
            smtp.close()
            if refused is not None:
                raise refused from None
            raise
        if refused is None:
            refused = refusal(command, reply, target, sender)
        elif command == "DATA" and reply.code == SMTPStatus.start_input:
            smtp.close()  # waiting for a message after refusing its envelope: start afresh
        if reply.code == CLOSING:
            smtp.close()
            break
    if refused is not None:
        raise refused


def refusal(
    command: str, reply: SMTPResponse, target: str, sender: str
) -> aiosmtplib.SMTPResponseException | None:
    """The error aiosmtplib's `mail`, `rcpt` or `data` raises for `reply` to `command`, or
    None for the expected one; pipelined or not, an answer is judged here."""
    if command == "MAIL" and reply.code != SMTPStatus.completed:
        return aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)
    if command == "RCPT" and reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
        return aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, target)
    if command == "DATA" and reply.code != SMTPStatus.start_input:
        return aiosmtplib.SMTPDataError(reply.code, reply.message)
    return None


__all__ = ["CLOSING", "open_data", "pipelines", "refusal"]
