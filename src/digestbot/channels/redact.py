"""Keeps secrets out of every log line.

The Telegram token is part of every Bot API URL, and httpx/PTB log those URLs at INFO/DEBUG;
a password can end up inside an exception message. Rather than trusting each call site, every
log record is rewritten when it is created (a log-record factory), so a record reaches no
handler - pytest's caplog included - with a secret still in it."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

REDACTED = "<redacted>"

# Shapes of secrets we know even when nobody registered them: Telegram bot tokens
# (digits:35 chars), the token segment of Bot API URLs, Slack tokens (xoxb-, xoxp-, ...),
# and Slack's response_url/webhook paths (anyone holding one can post as the app).
_PATTERNS = (
    re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"),
    re.compile(r"(?<=/bot)[^/\s\"']{10,}(?=/)"),
    re.compile(r"\bxox[abpors]-[A-Za-z0-9-]+"),
    re.compile(r"(?<=hooks\.slack\.com/)(?:commands|actions|services|workflows)/[^\s\"'<>]+"),
)

# Loggers whose INFO output is one line per HTTP request, URL included.
_CHATTY_LOGGERS = ("httpx", "httpcore", "hpack")

_lock = threading.Lock()
_secrets: set[str] = set()
_installed = False


def register_secret(secret: str | None) -> None:
    """Remember a literal secret (token, password, HMAC key) so it is redacted from now on."""
    # Very short strings would redact ordinary words; real secrets are longer.
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """`text` with every registered secret and every token-shaped string replaced."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it later, at emit time
        return
    cleaned = redact(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when set, so the traceback is redacted once, here.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


class RedactingFilter(logging.Filter):
    """The same redaction as a handler filter, for handlers built before install_redaction."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def install_redaction(*secrets: str | None) -> None:
    """Register `secrets` and, once per process, wrap the log-record factory so every record
    is redacted at creation, and keep HTTP client request logs at WARNING."""
    global _installed
    for secret in secrets:
        register_secret(secret)
    with _lock:
        if _installed:
            return
        _installed = True
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


__all__ = ["REDACTED", "RedactingFilter", "install_redaction", "redact", "register_secret"]
