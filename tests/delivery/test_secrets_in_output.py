"""What the operator sees never holds a secret, even when the provider's own error text quotes
it: python-telegram-bot names a rejected token in its InvalidToken message, and an API or a
proxy may echo what it was sent. Real processes, so stdout and stderr are exactly what a
terminal or a log collector gets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.delivery.harness import SAMPLE, write_config
from tests.fakes.telegram_server import TelegramFake
from tests.processes import run

pytestmark = pytest.mark.slow
# Not token-shaped (no "digits:" prefix), so only the registered literal can catch it.
WRONG_TOKEN = "wrong-token-typed-by-an-operator-Zq81"


def digestbot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(config, *args, env={"COLUMNS": "200"})  # type: ignore[no-any-return]


def test_a_rejected_token_is_not_printed_by_publish_json_or_on_stderr(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("1001", "top3")],
    )
    config.write_text(config.read_text().replace(telegram_fake.token, WRONG_TOKEN))

    done = digestbot(config, "publish", "--file", str(SAMPLE), "--json")

    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["channels"]["telegram"]["error"]
    assert "rejected" in error, "the reason is still told, only the token is hidden"
    assert WRONG_TOKEN not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_token_echoed_in_an_error_body_is_neither_stored_nor_printed(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    token = telegram_fake.token
    telegram_fake.fail_next(
        1, status=400, chat_id="1002", description=f"Bad Request: chat not found (/bot{token}/)"
    )
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("1001", "top3"), ("1002", "top3")],
    )

    published = digestbot(config, "publish", "--file", str(SAMPLE), "--json")
    logged = digestbot(config, "log", "--json")

    assert published.returncode == 1, published.stderr
    rows = {row["target"]: row for row in map(json.loads, logged.stdout.splitlines())}
    assert rows["1002"]["status"] == "failed"
    assert "chat not found" in rows["1002"]["last_error"].lower()
    for output in (published.stdout, published.stderr, logged.stdout, logged.stderr):
        assert token not in output
