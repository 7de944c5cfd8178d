"""`DIGESTBOT_<SECTION>_<KEY>` environment variables override the few keys that differ
between places the same config file runs (container, CI, compose)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.config import ConfigError, load_config
from digestbot.config.overrides import OVERRIDABLE, env_name

FILE = """
[store]
url = "sqlite:///data/digestbot.db"
[server]
host = "127.0.0.1"
port = 8080
"""


def _config(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_names_follow_section_and_key() -> None:
    assert [env_name(key) for key in OVERRIDABLE] == [
        "DIGESTBOT_SERVER_HOST",
        "DIGESTBOT_SERVER_PORT",
        "DIGESTBOT_STORE_URL",
        "DIGESTBOT_SOURCE_PATH",
        "DIGESTBOT_OUTBOX_PATH",
    ]


def test_environment_replaces_the_keys_of_the_file(tmp_path: Path) -> None:
    env = {
        "DIGESTBOT_SERVER_HOST": "0.0.0.0",
        "DIGESTBOT_SERVER_PORT": "9001",
        "DIGESTBOT_SOURCE_PATH": "/issues",
        "DIGESTBOT_OUTBOX_PATH": "/data/outbox",
    }
    config = load_config(_config(tmp_path), env)
    assert (config.server.host, config.server.port) == ("0.0.0.0", 9001)
    assert config.source.path == Path("/issues")
    assert config.outbox.path == Path("/data/outbox")
    assert config.store.url.get_secret_value() == "sqlite:///data/digestbot.db"  # untouched


def test_an_override_creates_a_section_the_file_leaves_out(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, ""), {"DIGESTBOT_SERVER_HOST": "::"})
    assert config.server.host == "::"
    assert config.server.port == 8080  # the rest of the section keeps its defaults


def test_an_empty_variable_overrides_nothing(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path), {"DIGESTBOT_SERVER_HOST": ""})
    assert config.server.host == "127.0.0.1"


def test_a_bad_override_is_reported_with_the_variable_that_set_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path), {"DIGESTBOT_SERVER_PORT": "eighty"})
    assert caught.value.problems == [
        "server.port: must be an integer (set by DIGESTBOT_SERVER_PORT)"
    ]


def test_store_url_override_expands_a_password_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "postgres_password"
    secret.write_text("pgSECRET\n", encoding="utf-8")
    env = {
        "DIGESTBOT_STORE_URL": "postgresql+psycopg://digestbot:${POSTGRES_PASSWORD}@db/digestbot",
        "POSTGRES_PASSWORD_FILE": str(secret),
    }
    config = load_config(_config(tmp_path), env)
    assert config.store.url.get_secret_value() == (
        "postgresql+psycopg://digestbot:pgSECRET@db/digestbot"
    )
    assert config.store.safe_url == "postgresql+psycopg://digestbot:***@db/digestbot"


def test_an_override_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "store_url"
    secret.write_text("postgresql+psycopg://bot:pgSECRET@db/x\n", encoding="utf-8")
    config = load_config(_config(tmp_path), {"DIGESTBOT_STORE_URL_FILE": str(secret)})
    assert config.store.url.get_secret_value() == "postgresql+psycopg://bot:pgSECRET@db/x"


def test_an_unreadable_override_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path), {"DIGESTBOT_STORE_URL_FILE": f"{tmp_path}/nope"})
    assert caught.value.problems == [
        f"store.url: secret file {tmp_path}/nope does not exist (DIGESTBOT_STORE_URL_FILE)"
    ]
