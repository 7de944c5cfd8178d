"""`check-config --online` logs in to each provider (local fakes speaking the real APIs) and
says which one fails and why, without printing a secret; exit 1 then."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from tests.delivery.harness import SMTP_PASSWORD, write_config
from tests.fakes._server import free_port
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_server import TelegramFake

runner = CliRunner()
WRONG_TELEGRAM = "123456:wrong-token-typed-by-an-operator-Zq81xx"
WRONG_SLACK = "xoxb-9999-wrong-token-typed-by-an-operator"


@pytest.fixture
def fakes() -> tuple[TelegramFake, SlackFake, SmtpFake]:
    with (
        TelegramFake() as telegram,
        SlackFake() as slack,
        SmtpFake(username="digest", password=SMTP_PASSWORD) as smtp,
    ):
        yield telegram, slack, smtp  # type: ignore[misc]


def _config(tmp_path: Path, telegram: TelegramFake, slack: SlackFake, smtp: SmtpFake) -> Path:
    (tmp_path / "issues").mkdir(exist_ok=True)
    return write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram,
        slack=slack,
        smtp=smtp,
    )


def _check(config: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(config), "check-config", "--online"])
    return result.exit_code, result.stdout + result.stderr


def test_every_provider_accepting_its_credentials_is_ok(
    tmp_path: Path, fakes: tuple[TelegramFake, SlackFake, SmtpFake]
) -> None:
    telegram, slack, smtp = fakes
    code, output = _check(_config(tmp_path, telegram, slack, smtp))
    assert code == 0, output
    assert "telegram: OK (getMe)" in output
    assert "slack: OK (auth.test)" in output
    assert "email: OK" in output
    assert smtp.auth_attempts == 1 and smtp.ehlo_count == 1
    assert ("auth.test", 200) in slack.requests


def test_wrong_tokens_and_a_dead_smtp_port_are_each_named_without_the_secret(
    tmp_path: Path, fakes: tuple[TelegramFake, SlackFake, SmtpFake]
) -> None:
    telegram, slack, smtp = fakes
    config = _config(tmp_path, telegram, slack, smtp)
    dead_port = free_port()
    text = (
        config.read_text()
        .replace(telegram.token, WRONG_TELEGRAM)
        .replace(slack.token, WRONG_SLACK)
        .replace(f"port = {smtp.port}", f"port = {dead_port}")
    )
    config.write_text(text)
    code, output = _check(config)
    assert code == 1
    lines = output.splitlines()
    assert any(line.startswith("telegram: FAILED (getMe)") for line in lines), output
    assert "slack: FAILED (auth.test): slack: invalid_auth" in lines
    (email,) = [line for line in lines if line.startswith("email: FAILED")]
    assert "connect failed" in email and str(dead_port) in email
    assert "config OK" not in output
    assert "Traceback" not in output
    for secret in (WRONG_TELEGRAM, WRONG_SLACK, SMTP_PASSWORD):
        assert secret not in output


def test_a_refused_smtp_password_is_named(
    tmp_path: Path, fakes: tuple[TelegramFake, SlackFake, SmtpFake]
) -> None:
    telegram, slack, smtp = fakes
    smtp.password = "the-provider-changed-it"
    code, output = _check(_config(tmp_path, telegram, slack, smtp))
    assert code == 1
    assert "email: FAILED" in output and "authentication failed (535)" in output
    assert "telegram: OK (getMe)" in output and "slack: OK (auth.test)" in output


def test_without_online_nothing_is_contacted(
    tmp_path: Path, fakes: tuple[TelegramFake, SlackFake, SmtpFake]
) -> None:
    telegram, slack, smtp = fakes
    config = _config(tmp_path, telegram, slack, smtp)
    config.write_text(config.read_text().replace(slack.token, WRONG_SLACK))
    result = runner.invoke(app, ["--config", str(config), "check-config"])
    assert result.exit_code == 0
    assert slack.requests == [] and smtp.ehlo_count == 0
