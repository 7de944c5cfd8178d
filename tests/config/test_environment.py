"""`${VAR}` expansion, and secrets that never show up in any output."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.config import ConfigError, check_config, load_config

SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123456:AAtgSECRETtoken",
    "SLACK_BOT_TOKEN": "xoxb-slackSECRETtoken",
    "SLACK_SIGNING_SECRET": "signingSECRET",
    "SMTP_PASSWORD": "smtpSECRETpassword",
    "DIGESTBOT_UNSUBSCRIBE_SECRET": "hmacSECRETkey",
    "PGPASSWORD": "pgSECRETpassword",
}

FULL = """
[store]
url = "sqlite:///{tmp}/ledger.db"
[source]
path = "{tmp}"
[telegram]
token = "${{TELEGRAM_BOT_TOKEN}}"
targets = [{{ chat_id = "1" }}]
[slack]
token = "${{SLACK_BOT_TOKEN}}"
signing_secret = "${{SLACK_SIGNING_SECRET}}"
[email]
host = "smtp.example.org"
username = "bot@example.org"
password = "${{SMTP_PASSWORD}}"
from = "Daily <d@example.org>"
unsubscribe_url = "https://example.org/u"
unsubscribe_secret = "${{DIGESTBOT_UNSUBSCRIBE_SECRET}}"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text
    assert "SECRET" not in text


def test_variables_are_expanded_inside_strings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[server]\nhost = "${HOST}"\nport = "${PORT}"\n'
        '[store]\nurl = "sqlite:///${DATA}/x.db"\n'
        '[email]\ntransport = "outbox"\nfrom = "Price $$5 <${FROM}>"\n',
    )
    config = load_config(
        path, {"HOST": "0.0.0.0", "PORT": "9000", "DATA": "/srv", "FROM": "a@b.org"}
    )
    assert (config.server.host, config.server.port) == ("0.0.0.0", 9000)
    assert config.store.url.get_secret_value() == "sqlite:////srv/x.db"
    assert config.email is not None and config.email.from_ == "Price $5 <a@b.org>"


def test_secrets_are_read_from_the_environment(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL.format(tmp=tmp_path)), SECRETS)
    assert config.telegram is not None and config.telegram.token is not None
    assert config.telegram.token.get_secret_value() == SECRETS["TELEGRAM_BOT_TOKEN"]
    assert config.email is not None and config.email.unsubscribe_secret is not None
    assert config.email.unsubscribe_secret.get_secret_value() == "hmacSECRETkey"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "telegram.token: environment variable TELEGRAM_BOT_TOKEN is not set"),
        (
            {"TELEGRAM_BOT_TOKEN": ""},
            "telegram.token: environment variable TELEGRAM_BOT_TOKEN is empty",
        ),
    ],
)
def test_a_missing_variable_names_the_key_and_the_variable_once(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    path = _write(tmp_path, '[telegram]\ntoken = "${TELEGRAM_BOT_TOKEN}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, env)
    assert caught.value.problems == [expected]


def test_every_missing_variable_is_listed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, FULL.format(tmp=tmp_path)), {"SLACK_BOT_TOKEN": "x"})
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "telegram.token",
        "slack.signing_secret",
        "email.password",
        "email.unsubscribe_secret",
    ]


def test_secrets_never_appear_in_str_or_repr(tmp_path: Path) -> None:
    text = FULL.format(tmp=tmp_path).replace(
        f"sqlite:///{tmp_path}/ledger.db", "postgresql://bot:${PGPASSWORD}@db/digest"
    )
    config = load_config(_write(tmp_path, text), SECRETS)
    for rendering in (str(config), repr(config), config.summary(), str(config.model_dump())):
        _assert_no_secret(rendering)


def test_secrets_never_appear_in_validation_errors(tmp_path: Path) -> None:
    # Secrets in the wrong place or of the wrong shape: the errors still must not echo them.
    text = (
        '[telegram]\ntoken = "${TELEGRAM_BOT_TOKEN}"\ntokn = "${TELEGRAM_BOT_TOKEN}"\n'
        'api_base_url = "${TELEGRAM_BOT_TOKEN}"\n'
        'targets = [{ chat_id = "${TELEGRAM_BOT_TOKEN}" }]\n'
        '[email]\ntransport = "outbox"\nfrom = "${SMTP_PASSWORD}"\nport = "${SMTP_PASSWORD}"\n'
        '[store]\nurl = "${PGPASSWORD}"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), SECRETS)
    assert len(caught.value.problems) >= 5
    _assert_no_secret("\n".join(caught.value.problems))
    _assert_no_secret(str(caught.value))


def test_check_config_output_never_contains_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    good = _write(tmp_path, FULL.format(tmp=tmp_path))
    result = CliRunner().invoke(app, ["--config", str(good), "check-config"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("config OK: telegram (1 static target), slack (0 static")
    _assert_no_secret(result.output)

    bad = tmp_path / "bad.toml"
    bad.write_text(
        FULL.format(tmp=tmp_path).replace(
            f"sqlite:///{tmp_path}/ledger.db",
            "postgresql+psycopg://bot:${PGPASSWORD}@127.0.0.1:9/digest",
        )
        + '[schedule]\ntime = "${TELEGRAM_BOT_TOKEN}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["--config", str(bad), "check-config"])
    assert result.exit_code == 1
    assert result.output.startswith("schedule.time: must be a time of day")
    _assert_no_secret(result.output)
    # The unreachable database is a runtime problem: reported once the file itself is valid.
    bad.write_text(bad.read_text().split("[schedule]")[0], encoding="utf-8")
    problems = check_config(bad)
    assert len(problems) == 1 and problems[0].startswith(
        "store.url: cannot connect to postgresql+psycopg://bot:***@127.0.0.1:9/digest"
    )
    _assert_no_secret(problems[0])
