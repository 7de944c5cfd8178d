"""Secrets never reach a log handler, whichever logger emits them."""

from __future__ import annotations

import logging

import pytest

from digestbot.channels.redact import REDACTED, RedactingFilter, install_redaction, redact

BOT_TOKEN = "987654321:AAFzx_Yq-9abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage", BOT_TOKEN),
        ("GET http://127.0.0.1:9/botSOMEcustomTOKENvalue/getMe", "SOMEcustomTOKENvalue"),
        ("Authorization: Bearer xoxb-1234-5678-abcdEFGH", "xoxb-1234-5678-abcdEFGH"),
        (f"token={BOT_TOKEN}", BOT_TOKEN),
    ],
)
def test_token_shapes_are_redacted_without_registration(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned and REDACTED in cleaned


def test_registered_secrets_are_redacted_in_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_redaction("smtp-password-42")
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("some.library")

    log.debug("login with %s", "smtp-password-42")
    try:
        raise RuntimeError("auth failed for smtp-password-42")
    except RuntimeError:
        log.exception("boom")

    assert "smtp-password-42" not in caplog.text
    assert caplog.text.count(REDACTED) >= 2


def test_filter_redacts_records_made_elsewhere() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "url %s", (BOT_TOKEN,), None)
    RedactingFilter().filter(record)
    assert BOT_TOKEN not in record.getMessage()


def test_http_client_request_logs_stay_off() -> None:
    install_redaction()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


def test_slack_response_urls_are_redacted_wherever_they_appear() -> None:
    from digestbot.channels.redact import redact

    url = "https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOp"
    cleaned = redact(f"POST {url} failed")
    assert "AbCdEfGhIjKlMnOp" not in cleaned and "T0001" not in cleaned
    assert cleaned.startswith("POST https://hooks.slack.com/")
