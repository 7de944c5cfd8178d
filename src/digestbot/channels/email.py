"""Email over one reused SMTP connection: MAIL, RCPT, DATA per recipient, errors mapped once."""

from __future__ import annotations

import asyncio
import ssl
from email.utils import parseaddr
from typing import Literal

import aiosmtplib

from digestbot.channels.email_build import POLICY, build_email
from digestbot.channels.errors import (
    ChannelError,
    PermanentError,
    Scope,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.redact import install_redaction
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
    whole message (DATA) may or may not have queued it. A refused login, greeting or sender
    concerns every recipient (channel-wide); a refused recipient only that one."""
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
        return TransientError(f"smtp: {phase} failed ({name})", provider=Channel.EMAIL)
    raise exc


class EmailChannel:
    """Sends EmailMessage parts, one message per recipient, over one SMTP connection."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        from_addr: str,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        unsubscribe_url: str | None = None,
        unsubscribe_secret: str | None = None,
        preferences_url: str | None = None,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
        name: str = "email",
    ) -> None:
        install_redaction(password, unsubscribe_secret)
        self.name = name
        self._host, self._port, self._security = host, port, security
        self._username, self._password = username, password
        # The From header keeps the display name; the envelope (MAIL FROM) is the bare address.
        self._from = from_addr
        self._envelope_from = parseaddr(from_addr)[1] or from_addr
        self._unsubscribe_url, self._unsubscribe_secret = unsubscribe_url, unsubscribe_secret
        self._preferences_url = preferences_url
        self._timeout = timeout
        self._tls_context = tls_context
        self._smtp: aiosmtplib.SMTP | None = None
        # One SMTP connection carries one transaction at a time; concurrent sends queue here.
        self._lock = asyncio.Lock()

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            timeout=self._timeout,
            use_tls=self._security == "tls",
            start_tls=self._security == "starttls",
            tls_context=self._tls_context,
        )

    async def open(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            return
        smtp = self._client()
        try:
            await smtp.connect()
            if self._username:
                await smtp.login(self._username, self._password or "")
        except Exception as exc:
            smtp.close()
            raise map_smtp_error(exc, "connect") from exc
        self._smtp = smtp

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            await smtp.quit()
        except aiosmtplib.SMTPException:
            smtp.close()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        if not isinstance(payload, EmailMessage):
            raise TypeError(f"EmailChannel cannot send {type(payload).__name__}")
        message = build_email(
            payload,
            from_addr=self._from,
            to_addr=target,
            unsubscribe_url=self._unsubscribe_url,
            unsubscribe_secret=self._unsubscribe_secret,
            preferences_url=self._preferences_url,
        )
        data = message.as_bytes(policy=POLICY)
        async with self._lock:
            await self.open()  # reconnects when the server dropped the idle connection
            assert self._smtp is not None
            smtp = self._smtp
            phase: Phase = "envelope"
            try:
                await smtp.mail(self._envelope_from)
                await smtp.rcpt(target)
                phase = "data"
                await smtp.data(data)
            except Exception as exc:
                error = map_smtp_error(exc, phase)
                await self._after_failure(smtp, exc)
                raise error from exc
        return str(message["Message-ID"])

    async def _after_failure(self, smtp: aiosmtplib.SMTP, exc: Exception) -> None:
        """Keep the connection for the next recipient when the server merely refused this
        one; after a timeout or hang-up its state is unknown, so start afresh next time."""
        if isinstance(exc, aiosmtplib.SMTPResponseException) and smtp.is_connected:
            try:
                await smtp.rset()
                return
            except aiosmtplib.SMTPException:
                pass
        smtp.close()
        if self._smtp is smtp:
            self._smtp = None


__all__ = ["EmailChannel", "Security", "map_smtp_error"]
