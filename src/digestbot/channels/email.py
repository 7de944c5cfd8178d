"""Email over a few reused SMTP connections in parallel (`[email] connections`), each carrying
one transaction at a time; the message is built once per payload and written per recipient
(`email_build.MailTemplate`)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parseaddr

from digestbot.channels.email_build import MailTemplates, Sender
from digestbot.channels.redact import install_redaction
from digestbot.channels.smtp import Security, SmtpConnection, SmtpServer, map_smtp_error
from digestbot.payloads import Payload

DEFAULT_CONNECTIONS = 4


class EmailChannel:
    """Sends EmailMessage parts, one message per recipient, over up to `connections` SMTP
    connections at once. Connections open as sends need them and stay open for the next."""

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
        connections: int = DEFAULT_CONNECTIONS,
        name: str = "email",
    ) -> None:
        install_redaction(password, unsubscribe_secret)
        if connections < 1:
            raise ValueError("an email channel needs at least one connection")
        self.name = name
        self.connections = connections
        self._server = SmtpServer(
            host,
            port,
            envelope_from=parseaddr(from_addr)[1] or from_addr,
            security=security,
            username=username,
            password=password,
            timeout=timeout,
            tls_context=tls_context,
        )
        self._templates = MailTemplates(
            Sender(from_addr, unsubscribe_url, unsubscribe_secret, preferences_url)
        )
        self._free = asyncio.Semaphore(connections)
        self._idle: list[SmtpConnection] = []
        # Bumped by close(): a connection lent out before it is not put back.
        self._generation = 0

    async def open(self) -> None:
        """Connect and log in once, so a dead server or a wrong password shows before the
        first send; the other connections open when sends need them."""
        async with self.slot():
            return

    async def close(self) -> None:
        self._generation += 1
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.quit()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[SmtpConnection]:
        """A connected (and logged-in) connection of the pool, for one transaction."""
        async with self._free:
            generation = self._generation
            connection = self._idle.pop() if self._idle else SmtpConnection(
                self._server, self._templates
            )
            try:
                await connection.connect()
                yield connection
            finally:
                if not connection.usable:
                    connection.abort()
                elif generation == self._generation:
                    self._idle.append(connection)
                else:
                    await connection.quit()

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        async with self.slot() as connection:
            return await connection.send(target, payload, reply_to=reply_to)


__all__ = ["DEFAULT_CONNECTIONS", "EmailChannel", "Security", "map_smtp_error"]
