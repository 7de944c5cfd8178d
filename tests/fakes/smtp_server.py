"""A local SMTP server (aiosmtpd) that records what it accepts, refuses scripted recipients
with 450/550 like a real MTA - or 421 and hangs up, as one closing a busy connection does -
advertises PIPELINING unless told not to (`pipelining=False`), optionally requires AUTH,
optionally offers STARTTLS with a self-signed certificate, and can stall before answering DATA
(the uncertain case). It counts the connections open at once.

    with SmtpFake(username="digest", password="s3cret") as fake:
        EmailChannel(fake.host, fake.port, security="none", username=..., password=..., ...)
        fake.refuse("full@example.com", 450); fake.refuse("gone@example.com", 550)
        fake.refuse("busy@example.com", 421, times=1)   # once, then this connection is closed
        fake.messages[0].parsed["Subject"], fake.messages[0].rcpt_tos, fake.messages[0].session
        fake.peak_connections

Standalone (benchmarks): python -m tests.fakes.smtp_server --port 0   (prints "smtp fake on
HOST:PORT", records nothing so memory stays flat).
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import itertools
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.fakes._server import free_port


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes = field(repr=False)
    parsed: EmailMessage = field(repr=False)
    time: float
    session: int = 0  # which connection carried it (numbered from 1 as they open)
    # Connections in the middle of a transaction (MAIL given, DATA not finished) as this one
    # ended, itself included: how many were sending at once.
    concurrent: int = 0


@dataclass(slots=True)
class Refusal:
    code: int
    times: int | None = None  # None: every time


@dataclass(frozen=True, slots=True)
class RefusedRcpt:
    address: str
    code: int
    session: int
    time: float


class _CountingSMTP(SMTP):
    """aiosmtpd's server, numbering its connections and counting how many are open."""

    fake: SmtpFake

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:  # not the STARTTLS upgrade of a connection already counted
            self.fake.connection_opened(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.fake.connection_closed(self)
        super().connection_lost(error)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost, made with the openssl CLI."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class _Controller(Controller):
    def __init__(self, fake: SmtpFake, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fake = fake

    def factory(self) -> SMTP:
        # Plaintext AUTH is intended here (loopback only); aiosmtpd warns per connection.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            smtp = _CountingSMTP(self.handler, **self.SMTP_kwargs)
            smtp.fake = self.fake
            return smtp


class _Handler:
    def __init__(self, fake: SmtpFake) -> None:
        self.fake = fake

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
        responses: list[str],
    ) -> list[str]:  # fmt: skip
        with self.fake.lock:
            self.fake.ehlo_count += 1
        session.host_name = hostname
        if self.fake.pipelining:
            # aiosmtpd reads commands one after another from its stream, so commands a
            # client writes together (RFC 2920) are answered in order, as by Postfix.
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        mail_options: list[str],
    ) -> str:  # fmt: skip
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        # What the client wrote behind MAIL before hearing its answer (RFC 2920 pipelining).
        waiting = bytes(server._reader._buffer)  # type: ignore[attr-defined]
        with self.fake.lock:
            self.fake.in_transaction.add(id(server))
            if b"RCPT TO:" in waiting and b"DATA\r\n" in waiting:
                self.fake.pipelined += 1
        return "250 OK"

    async def handle_RSET(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.fake.lock:
            self.fake.in_transaction.discard(id(server))
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        code = self.fake.refusal(address, server)
        if code is None:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        if code == 421:
            # Answered first (the reply is written before this callback can run), then closed.
            transport = server.transport
            assert transport is not None  # aiosmtpd calls handlers only while connected
            asyncio.get_running_loop().call_soon(transport.close)
            return "421 4.7.0 Too many messages on this connection, closing transmission channel"
        if code >= 500:
            return f"{code} 5.1.1 <{address}>: Recipient address rejected: User unknown"
        return f"{code} 4.2.2 <{address}>: Mailbox full, try again later"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.fake.record:
            with self.fake.lock:
                self.fake.accepted += 1
                self.fake.in_transaction.discard(id(server))
            return "250 2.0.0 Ok: queued"
        content = envelope.original_content or b""
        limit = self.fake.max_size
        if limit is not None and len(content) > limit:
            with self.fake.lock:
                self.fake.in_transaction.discard(id(server))
                self.fake.too_big += 1
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        parsed = BytesParser(policy=email.policy.default).parsebytes(content)
        assert isinstance(parsed, EmailMessage)
        with self.fake.lock:
            self.fake.accepted += 1
            self.fake.messages.append(
                ReceivedMail(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=list(envelope.rcpt_tos),
                    content=content,
                    parsed=parsed,
                    time=time.time(),
                    session=self.fake.sessions.get(id(server), 0),
                    concurrent=len(self.fake.in_transaction),
                )
            )
            self.fake.in_transaction.discard(id(server))
            delay = self.fake.data_delay
        if delay:
            # Queued already; the client just does not hear about it in time.
            await asyncio.sleep(delay)
        return "250 2.0.0 Ok: queued"


class SmtpFake:
    def __init__(
        self,
        *,
        port: int = 0,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        record: bool = True,
        pipelining: bool = True,
    ) -> None:
        self.host = "127.0.0.1"
        self.pipelining = pipelining  # advertise PIPELINING in EHLO, as real providers do
        self.pipelined = 0  # MAILs that arrived with their RCPT and DATA already behind them
        self.port = port or free_port()
        self.username, self.password = username, password
        self.record = record  # False: count accepted messages only (benchmarks)
        self.messages: list[ReceivedMail] = []
        self.accepted = 0
        self.refused: dict[str, Refusal] = {}
        self.refusals: list[RefusedRcpt] = []  # each RCPT answered with a refusal
        self.sessions: dict[int, int] = {}  # open server protocol → its connection number
        self.in_transaction: set[int] = set()  # server protocols between MAIL and DATA's end
        self.peak_connections = 0
        self._session_numbers = itertools.count(1)
        self.data_delay = 0.0
        # Messages over this many bytes are refused with 552 at the end of DATA (a server
        # whose SIZE limit is lower than the mail); `too_big` counts the refusals.
        self.max_size: int | None = None
        self.too_big = 0
        self.auth_attempts = 0
        self.ehlo_count = 0  # one per connection (two with STARTTLS): shows connection reuse
        self.lock = threading.RLock()
        self.cert_path: Path | None = None
        self._started = False
        self._tmp: str | None = None
        server_tls: ssl.SSLContext | None = None
        if starttls:
            self._tmp = tempfile.mkdtemp(prefix="smtpfake-")
            cert, key = self_signed_certificate(Path(self._tmp))
            server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_tls.load_cert_chain(cert, key)
            self.cert_path = cert
        auth_kwargs: dict[str, Any] = {}
        if username is not None:
            auth_kwargs = {
                "auth_required": True,
                "auth_require_tls": False,  # plaintext AUTH is fine on 127.0.0.1
                "authenticator": self._authenticate,
            }
        self._controller = _Controller(
            self,
            _Handler(self),
            hostname=self.host,
            port=self.port,
            tls_context=server_tls,
            require_starttls=False,
            **auth_kwargs,
        )

    def client_tls_context(self) -> ssl.SSLContext:
        """A client context that trusts this fake's self-signed certificate."""
        assert self.cert_path is not None, "started without starttls=True"
        return ssl.create_default_context(cafile=str(self.cert_path))

    def refuse(self, address: str, code: int, *, times: int | None = None) -> None:
        """Answer RCPT TO:<address> with `code` (450 → transient, 550 → permanent, 421 →
        transient and the connection is closed), `times` times or for ever."""
        with self.lock:
            self.refused[address.lower()] = Refusal(code, times)

    def refusal(self, address: str, server: SMTP) -> int | None:
        """The code to refuse `address` with now (using up one of its times), recorded."""
        with self.lock:
            refusal = self.refused.get(address.lower())
            if refusal is None or refusal.times == 0:
                return None
            if refusal.times is not None:
                refusal.times -= 1
            session = self.sessions.get(id(server), 0)
            self.refusals.append(RefusedRcpt(address, refusal.code, session, time.time()))
            return refusal.code

    def connection_opened(self, server: SMTP) -> None:
        with self.lock:
            self.sessions[id(server)] = next(self._session_numbers)
            self.peak_connections = max(self.peak_connections, len(self.sessions))

    def connection_closed(self, server: SMTP) -> None:
        with self.lock:
            self.sessions.pop(id(server), None)
            self.in_transaction.discard(id(server))

    def stall_data(self, seconds: float) -> None:
        """Queue each message, then wait `seconds` before answering the end of DATA."""
        with self.lock:
            self.data_delay = seconds

    def messages_to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        with self.lock:
            self.auth_attempts += 1
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        # handled=False: aiosmtpd itself answers 535 on failure.
        return AuthResult(success=ok, handled=False)

    def start(self) -> Self:
        self._controller.start()
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._controller.stop()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Run until killed, printing where (for a parent process to read)."""
        self.start()
        print(f"smtp fake on {self.host}:{self.port}", flush=True)
        try:
            threading.Event().wait()
        finally:
            self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMTP fake (aiosmtpd)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    SmtpFake(port=args.port, record=False).serve_forever()


if __name__ == "__main__":
    main()
