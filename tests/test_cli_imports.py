"""A command loads what it uses and nothing more (issue 14: start at once). Each case runs the
real `digestbot` entry point in a fresh interpreter and reads `sys.modules` when it ends.
(What `import digestbot.cli` alone may load: tests/test_import_graph.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_server import TelegramFake
from tests.sample import SAMPLE

REPO = Path(__file__).resolve().parents[1]
_RUN = r"""
import json, sys
sys.argv = ["digestbot", *json.loads(sys.argv[1])]
from digestbot.cli import main
try:
    main()
except SystemExit:
    pass
with open(OUT, "w") as out:
    json.dump(sorted(sys.modules), out)
"""
# What no command that neither sends nor serves may load.
SERVICE_STACK = {"slack_sdk", "aiohttp", "apscheduler", "uvicorn", "starlette", "telegram"}
DATABASE = {"sqlalchemy", "alembic", "psycopg"}


def loaded_by(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    script = _RUN.replace("OUT", repr(str(out)))
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(args)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    modules: list[str] = json.loads(out.read_text())
    return set(modules) | {name.split(".")[0] for name in modules}  # modules and packages


def test_the_command_list_loads_no_command(tmp_path: Path) -> None:
    loaded = loaded_by(tmp_path, "--help")
    heavy = SERVICE_STACK | DATABASE | {"bs4", "httpx", "jinja2", "pydantic", "feedparser"}
    assert loaded & heavy == set()
    assert not [m for m in loaded if m.startswith("digestbot.cli.") and m.endswith("_cmd")]


@pytest.mark.parametrize("channel", ["telegram", "slack"])
def test_rendering_a_file_loads_neither_the_database_nor_the_senders(
    tmp_path: Path, channel: str
) -> None:
    args = ("--config", str(tmp_path / "none.toml"), "render", str(SAMPLE))
    loaded = loaded_by(tmp_path, *args, "--channel", channel, "--variant", "top3")
    assert "digestbot.rendering.renderer" in loaded  # it did render
    assert loaded & (SERVICE_STACK | DATABASE | {"bs4", "httpx", "feedparser"}) == set()


def test_a_daily_publish_loads_only_the_channels_it_sends_on(tmp_path: Path) -> None:
    """Telegram through the outbox, a store migrated the day before: no other channel's
    client, no source library (the issue is a file), no Alembic (the schema is current), no
    PostgreSQL dialect (the store is SQLite)."""
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
        f'[outbox]\npath = "{tmp_path}/outbox"\n'
        '[telegram]\ntransport = "outbox"\ntargets = [{ chat_id = "-1001234567890" }]\n',
        encoding="utf-8",
    )
    assert "alembic" in loaded_by(tmp_path, "--config", str(config), "migrate")
    loaded = loaded_by(tmp_path, "--config", str(config), "publish", "--file", str(SAMPLE))
    assert "digestbot.delivery.fanout" in loaded  # it did publish
    assert list((tmp_path / "outbox" / "telegram").iterdir())
    others = {"slack_sdk", "aiohttp", "aiosmtplib", "bs4", "css_inline", "feedparser", "httpx"}
    assert loaded & (others | {"alembic", "apscheduler", "uvicorn", "starlette"}) == set()
    assert "sqlalchemy.dialects.postgresql" not in loaded  # a SQLite store: store/dialects.py


def test_a_publish_that_telegram_accepts_loads_neither_ptb_nor_the_orm(tmp_path: Path) -> None:
    """The sends go over aiohttp (`channels.telegram_pool`); python-telegram-bot is for
    edits, deletes, the bot, and answers that are not 2xx. The ledger is SQLAlchemy Core."""
    with TelegramFake() as fake:
        config = tmp_path / "digestbot.toml"
        config.write_text(
            f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
            f"[telegram]\ntoken = {json.dumps(fake.token)}\n"
            f"api_base_url = {json.dumps(fake.url)}\n"
            'targets = [{ chat_id = "1001" }, { chat_id = "1002" }]\n',
            encoding="utf-8",
        )
        loaded_by(tmp_path, "--config", str(config), "migrate")
        loaded = loaded_by(tmp_path, "--config", str(config), "publish", "--file", str(SAMPLE))
        assert {m.chat_id for m in fake.messages} == {"1001", "1002"}  # it did send
    assert "aiohttp" in loaded
    assert loaded & {"telegram", "httpx", "sqlalchemy.orm", "alembic"} == set()
