"""The config files in the repository load, and check-config accepts the demo as shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.config import check_config, load_config
from digestbot.model import Variant

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ENV = {
    "TELEGRAM_BOT_TOKEN": "1:x",
    "SLACK_BOT_TOKEN": "xoxb-x",
    "SLACK_SIGNING_SECRET": "s",
    "SMTP_USER": "u",
    "SMTP_PASSWORD": "p",
    "DIGESTBOT_UNSUBSCRIBE_SECRET": "h",
}


def test_the_demo_config_needs_no_secrets_and_writes_every_channel_to_the_outbox() -> None:
    config = load_config(REPO / "config" / "demo.toml", {})
    assert config.enabled_channels() == ["telegram", "slack", "email"]
    for name in config.enabled_channels():
        section = config.channel(name)
        assert section is not None and section.transport == "outbox"
        assert config.static_targets(name)
    assert config.store.url.get_secret_value() == "sqlite:///demo-data/digestbot.db"
    assert config.outbox.path == Path("demo-data/outbox")
    assert (config.source.kind, config.source.path) == ("folder", Path("samples"))
    assert {v for name in config.enabled_channels() for _, v in config.static_targets(name)} == set(
        Variant
    )


def test_the_example_config_loads_with_its_variables_set() -> None:
    config = load_config(REPO / "config" / "digestbot.example.toml", EXAMPLE_ENV)
    assert config.enabled_channels() == ["telegram", "slack", "email"]
    assert config.email is not None and config.email.from_address == "digest@example.org"


def test_the_example_config_documents_every_key() -> None:
    """Each `key = value` line of the example carries a comment, or sits under one."""
    lines = (REPO / "config" / "digestbot.example.toml").read_text(encoding="utf-8").splitlines()
    undocumented = [
        line
        for i, line in enumerate(lines)
        if "=" in line
        and not line.startswith("#")
        and "#" not in line
        and not lines[i - 1].startswith("#")
    ]
    assert undocumented == []


def test_check_config_accepts_the_demo_from_the_repository_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    if not (REPO / "samples").is_dir():
        pytest.skip("samples/ is not in this checkout")
    assert check_config(Path("config/demo.toml")) == []
    result = CliRunner().invoke(app, ["--config", "config/demo.toml", "check-config"])
    assert result.exit_code == 0
    assert result.output.startswith("config OK: telegram (3 static targets, outbox)")
