"""One SMTP connection: connect and log in, then MAIL, RCPT, DATA per recipient, with
aiosmtplib's failures mapped onto channel errors in one place. `EmailChannel` keeps a few of
these and lends one per send."""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass
from typing import Literal

import aiosmtplib
from aiosmtplib import SMTPStatus

from digestbot.channels.base import Leaving
from digestbot.channels.email_build import MailTemplates
from digestbot.channels.errors import (
    ChannelError,
    PayloadRejected,
    PermanentError,
    Scope,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.smtp_pipeline import open_data, pipelines, refusal
from digestbot.model import Channel
from digestbot.payloads import EmailMessage, Payload

Security = Literal["tls", "starttls", "none"]
# Where a transaction failed decides whether the message may have arrived.
Phase = Literal["connect", "envelope", "data"]


def _by_code(code: int, text: str, scope: Scope) -> ChannelError:
    if 400 <= code < 500:
        return TransientError(text, provider=Channel.EMAIL, code=str(code), scope=scope)
    return PermanentError(text, provider=Channel.EMAIL, code=str(code), scope=scope)


def map_smtp_error(exc: Exception, phase: Phase) -> ChannelError:
    """The single place where aiosmtplib failures become digestbot channel errors.
    SMTP 4xx is "try later", 5xx is final; a timeout or hang-up while the server holds the
    whole message (DATA) may or may not have queued it. A refused login, greeting or sender,
    or a server that cannot be reached, concerns every recipient (channel-wide); a refused
    recipient only that one."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        detail = f"smtp: recipient refused ({exc.code} {exc.message})"
        return _by_code(exc.code, detail, Scope.TARGET)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        detail = f"smtp: authentication failed ({exc.code})"
        return PermanentError(
            detail, provider=Channel.EMAIL, code=str(exc.code), scope=Scope.CHANNEL
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 552 and phase == "data":
        # 552 at the end of DATA: the message is too big for the server (RFC 5321 4.5.3.1.10).
        detail = f"smtp: message refused for its size ({exc.code} {exc.message})"
        return PayloadRejected(detail, provider=Channel.EMAIL, code=str(exc.code))
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 400:
        everyone = phase == "connect" or isinstance(exc, aiosmtplib.SMTPSenderRefused)
        detail = f"smtp: {phase} refused ({exc.code} {exc.message})"
        return _by_code(exc.code, detail, Scope.CHANNEL if everyone else Scope.TARGET)
    name = type(exc).__name__
    if phase == "data" and isinstance(
        exc, aiosmtplib.SMTPTimeoutError | aiosmtplib.SMTPServerDisconnected
    ):
        return UncertainDelivery(f"smtp: no answer after DATA ({name})", provider=Channel.EMAIL)
    if isinstance(exc, aiosmtplib.SMTPException | OSError):
        # A server that cannot be reached is down for every recipient: the channel waits for
        # it as a whole instead of each recipient retrying on its own.
        if phase == "connect":  # say why: refused, timed out, TLS, name unknown
            return TransientError(
                f"smtp: connect failed ({name}: {exc})", provider=Channel.EMAIL, scope=Scope.CHANNEL
            )
        return TransientError(f"smtp: {phase} failed ({name})", provider=Channel.EMAIL)
    raise exc


async def _greet(smtp: aiosmtplib.SMTP) -> None:
    """EHLO, or HELO for a server that does not know it (as aiosmtplib's first command does)."""
    try:
        await smtp.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not smtp.is_connected:
            raise
        await smtp.helo()


async def _always() -> bool:
    return True


# A bare address that aiosmtplib's quoting (`email.utils.parseaddr`) would return unchanged:
# dot-atoms on both sides of the @, nothing to parse.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\Z"
)


def _on_the_wire(data: bytes) -> bytes | None:
    """`data` as DATA carries it, ended by the lone dot, when it needs no rewriting: every
    line already ends in CRLF and none starts with a dot (what `MailTemplate` writes), so
    aiosmtplib's line-ending and dot-stuffing passes would leave it as it is - they are two
    regular expressions over the whole message, ~0.2 ms of CPU per 16 KB message. None when
    it does need them."""
    crlf = data.count(b"\r\n")
    if data.count(b"\n") != crlf or data.count(b"\r") != crlf:
        return None
    if data.startswith(b".") or b"\n." in data:
        return None
    return data + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")


def _quoted(address: str) -> bytes | None:
    """`<address>` as MAIL and RCPT take it, or None when it needs aiosmtplib's parsing."""
    return b"<" + address.encode("ascii") + b">" if _PLAIN_ADDRESS.match(address) else None


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to connect; the same for every connection of a channel."""

    host: str
    port: int
    envelope_from: str  # MAIL FROM: the bare address (From keeps the display name)
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            tls_context=self.tls_context,
        )


class SmtpConnection:
    """One connection, one transaction at a time (its holder's). Reconnects when the server
    dropped it; after a refusal it stays usable for the next recipient."""

    def __init__(self, server: SmtpServer, templates: MailTemplates) -> None:
        self._server = server
        self._templates = templates
        self._smtp: aiosmtplib.SMTP | None = None
        self._mail_from = _quoted(server.envelope_from)

    @property
    def usable(self) -> bool:
        return self._smtp is not None and self._smtp.is_connected

    async def connect(self) -> None:
        """Connect and log in, unless still connected."""
        if self.usable:
            return
        self.abort()
        smtp = self._server.client()
        try:
            await smtp.connect()
            if self._server.username:
                await smtp.login(self._server.username, self._server.password or "")
            if smtp.is_ehlo_or_helo_needed:
                # Greeted now rather than by the first MAIL, so that one can be pipelined.
                await _greet(smtp)
        except Exception as exc:
            smtp.close()
            raise map_smtp_error(exc, "connect") from exc
        self._smtp = smtp

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        message_id = await self.send_when(target, payload, _always)
        assert message_id is not None
        return message_id

    async def send_when(
        self, target: str, payload: Payload, leaving: Leaving, *, reply_to: str | None = None
    ) -> str | None:
        """MAIL and RCPT while `leaving` is decided (`channels.base.Enveloped`), the message
        only after it said yes. A refused envelope is raised only for a message that was let
        leave; otherwise it never counted as a try. Pipelined, DATA itself is asked with the
        envelope; a gate saying no then hangs up (nothing was sent, the next send reconnects)."""
        if not isinstance(payload, EmailMessage):
            raise TypeError(f"EmailChannel cannot send {type(payload).__name__}")
        mail = self._templates.build(payload, target)
        await self.connect()
        assert self._smtp is not None
        smtp = self._smtp
        wire = _on_the_wire(mail.data)
        recipient = _quoted(target)
        # With PIPELINING, DATA goes out with the envelope and the server waits for the
        # message when the gate is decided: two round trips a message instead of four.
        pipelined = (
            wire is not None
            and recipient is not None
            and self._mail_from is not None
            and pipelines(smtp)
        )
        gate = asyncio.ensure_future(leaving())
        try:
            if pipelined:
                assert self._mail_from is not None and recipient is not None
                sender = self._server.envelope_from
                await open_data(smtp, self._mail_from, recipient, target, sender)
            else:
                await self._envelope(smtp, target, recipient)
        except Exception as exc:
            # A refused DATA is judged as the unpipelined path judges it, in its own phase.
            phase: Phase = "data" if isinstance(exc, aiosmtplib.SMTPDataError) else "envelope"
            error = map_smtp_error(exc, phase)
            await self._after_failure(smtp, exc)
            if await gate:
                raise error from exc
            return None
        except BaseException:  # cancelled: nothing was sent
            gate.cancel()
            self.abort()
            raise
        try:
            go = await gate
        except BaseException:  # the ledger failed, or cancelled: a transaction is open
            self.abort()
            raise
        if not go:
            if pipelined:
                self.abort()  # the server waits for the message: only hanging up takes DATA back
            else:
                await self._abandon(smtp)
            return None
        try:
            if pipelined:
                assert wire is not None
                await self._message(smtp, wire)
            else:
                await self._data(smtp, target, mail.data, wire)
        except Exception as exc:
            error = map_smtp_error(exc, "data")
            await self._after_failure(smtp, exc)
            raise error from exc
        return mail.message_id

    async def _envelope(self, smtp: aiosmtplib.SMTP, target: str, recipient: bytes | None) -> None:
        """MAIL and RCPT. For plain addresses on a greeted connection the commands are
        written directly: aiosmtplib's `mail`/`rcpt` parse both addresses anew with
        `email.utils.parseaddr` on every message (~6 % of the sending loop's CPU); the
        answers are judged, and refusals raised, exactly as they do (`refusal`)."""
        sender = self._server.envelope_from
        if smtp.is_ehlo_or_helo_needed or self._mail_from is None or recipient is None:
            await smtp.mail(sender)
            await smtp.rcpt(target)
            return
        response = await smtp.execute_command(b"MAIL", b"FROM:" + self._mail_from)
        if refused := refusal("MAIL", response, target, sender):
            raise refused
        response = await smtp.execute_command(b"RCPT", b"TO:" + recipient)
        if refused := refusal("RCPT", response, target, sender):
            raise refused

    async def _data(
        self, smtp: aiosmtplib.SMTP, target: str, data: bytes, wire: bytes | None
    ) -> None:
        """DATA, then the message. A message that is ready for the wire (`wire`, from
        `_on_the_wire`) is written as it is; the answers are judged, and failures raised, as
        `SMTP.data` does."""
        if wire is None or smtp.is_ehlo_or_helo_needed:
            await smtp.data(data)
            return
        start = await smtp.execute_command(b"DATA")
        if refused := refusal("DATA", start, target, self._server.envelope_from):
            raise refused
        await self._message(smtp, wire)

    async def _message(self, smtp: aiosmtplib.SMTP, wire: bytes) -> None:
        """The message in wire form after the server's 354, and its answer judged."""
        try:
            if smtp.protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("Connection lost")
            smtp.protocol.write(wire)
            response = await smtp.protocol.read_response(timeout=smtp.timeout)
        except aiosmtplib.SMTPServerDisconnected:
            smtp.close()
            raise
        if response.code != SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(response.code, response.message)

    async def _abandon(self, smtp: aiosmtplib.SMTP) -> None:
        """End the transaction begun by MAIL without sending it (RSET), or drop the
        connection when even that fails."""
        try:
            await smtp.rset()
        except aiosmtplib.SMTPException:
            self.abort()

    async def _after_failure(self, smtp: aiosmtplib.SMTP, exc: Exception) -> None:
        """Keep the connection for the next recipient when the server merely refused this
        one; after a timeout or hang-up (or a 421 "closing") its state is unknown, so start
        afresh next time."""
        if isinstance(exc, aiosmtplib.SMTPResponseException) and smtp.is_connected:
            try:
                await smtp.rset()
                return
            except aiosmtplib.SMTPException:
                pass
        self.abort()

    async def quit(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            await smtp.quit()
        except aiosmtplib.SMTPException:
            smtp.close()

    def abort(self) -> None:
        """Drop the connection without a goodbye."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


__all__ = ["Phase", "Security", "SmtpConnection", "SmtpServer", "map_smtp_error"]
