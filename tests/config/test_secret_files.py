"""Secrets from files: `VAR_FILE` beside `${VAR}` (compose secrets, systemd credentials) and
`${file:/path}` — resolved into the config, named in problems, never printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.config import ConfigError, load_config

TOKEN = "123456:AAfileSECRETtoken"
CONFIG = '[telegram]\ntoken = "${TELEGRAM_BOT_TOKEN}"\ntargets = [{ chat_id = "1" }]\n'


def _config(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _secret(tmp_path: Path, content: str, name: str = "telegram_bot_token") -> Path:
    path = tmp_path / "secrets" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _token(path: Path, env: dict[str, str]) -> str:
    config = load_config(path, env)
    assert config.telegram is not None and config.telegram.token is not None
    return config.telegram.token.get_secret_value()


@pytest.mark.parametrize("written", [TOKEN, TOKEN + "\n", TOKEN + "\r\n"])
def test_var_file_supplies_the_variable_without_its_trailing_line_break(
    tmp_path: Path, written: str
) -> None:
    secret = _secret(tmp_path, written)
    assert _token(_config(tmp_path), {"TELEGRAM_BOT_TOKEN_FILE": str(secret)}) == TOKEN


def test_the_variable_itself_wins_over_its_file(tmp_path: Path) -> None:
    secret = _secret(tmp_path, "from-the-file")
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_TOKEN_FILE": str(secret)}
    assert _token(_config(tmp_path), env) == TOKEN


def test_an_empty_variable_falls_back_to_its_file(tmp_path: Path) -> None:
    # compose passes `VAR=` for an unset host variable; the secret file must still count.
    secret = _secret(tmp_path, TOKEN)
    env = {"TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BOT_TOKEN_FILE": str(secret)}
    assert _token(_config(tmp_path), env) == TOKEN


def test_file_reference_reads_the_named_file(tmp_path: Path) -> None:
    secret = _secret(tmp_path, TOKEN + "\n")
    text = CONFIG.replace("${TELEGRAM_BOT_TOKEN}", f"${{file:{secret}}}")
    assert _token(_config(tmp_path, text), {}) == TOKEN


def test_file_reference_works_inside_a_longer_string(tmp_path: Path) -> None:
    password = _secret(tmp_path, "pgSECRET\n", "postgres_password")
    text = f'[store]\nurl = "postgresql+psycopg://bot:${{file:{password}}}@db/digest"\n'
    config = load_config(_config(tmp_path, text), {})
    assert config.store.url.get_secret_value() == "postgresql+psycopg://bot:pgSECRET@db/digest"
    assert "pgSECRET" not in config.store.safe_url


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda d: d / "absent",
            "telegram.token: secret file {d}/absent does not exist (TELEGRAM_BOT_TOKEN_FILE)",
        ),
        (
            lambda d: _secret(d, "\n"),
            "telegram.token: secret file {d}/secrets/telegram_bot_token is empty "
            "(TELEGRAM_BOT_TOKEN_FILE)",
        ),
        (
            lambda d: d,
            "telegram.token: secret file {d} cannot be read: Is a directory "
            "(TELEGRAM_BOT_TOKEN_FILE)",
        ),
    ],
    ids=["missing", "empty", "directory"],
)
def test_an_unusable_var_file_is_one_problem_naming_key_path_and_variable(
    tmp_path: Path, make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path), {"TELEGRAM_BOT_TOKEN_FILE": str(path)})
    assert caught.value.problems == [expected.format(d=tmp_path)]


def test_an_unusable_file_reference_names_the_key_and_the_file(tmp_path: Path) -> None:
    text = CONFIG.replace("${TELEGRAM_BOT_TOKEN}", f"${{file:{tmp_path}/nope}}")
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, text), {})
    assert caught.value.problems == [f"telegram.token: secret file {tmp_path}/nope does not exist"]


def test_a_switched_off_section_may_name_a_missing_secret_file(tmp_path: Path) -> None:
    text = CONFIG + "enabled = false\n"
    config = load_config(_config(tmp_path, text), {"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent"})
    assert config.telegram is not None and not config.telegram.enabled


def test_secrets_from_files_never_reach_check_config_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_FILE", str(_secret(tmp_path, TOKEN)))
    text = CONFIG + f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
    text += f'[source]\npath = "{tmp_path}"\n'
    result = CliRunner().invoke(app, ["--config", str(_config(tmp_path, text)), "check-config"])
    assert result.exit_code == 0, result.output
    assert "SECRET" not in result.output
    # A value of the wrong shape from a file: the problem names the key, not the value.
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_FILE", str(_secret(tmp_path, "SECRET", "chat")))
    bad = text.replace('chat_id = "1"', 'chat_id = "${TELEGRAM_BOT_TOKEN}"')
    result = CliRunner().invoke(app, ["--config", str(_config(tmp_path, bad)), "check-config"])
    assert result.exit_code == 1
    assert result.output.startswith("telegram.targets[0].chat_id: must be a numeric chat id")
    assert "SECRET" not in result.output
