"""What the operator sees never holds a secret, even when the provider's own error text quotes
it: python-telegram-bot names a rejected token in its InvalidToken message, and an API or a
proxy may echo what it was sent. Real processes, so stdout and stderr are exactly what a
terminal or a log collector gets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.delivery.harness import SAMPLE, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.telegram_server import TelegramFake
from tests.processes import run

pytestmark = pytest.mark.slow
# Not token-shaped (no "digits:" prefix), so only the registered literal can catch it.
WRONG_TOKEN = "wrong-token-typed-by-an-operator-Zq81"
WRONG_SLACK = "xoxb-wrong-slack-token-typed-Qq77"


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


def _leaks(secret: str, *outputs: str) -> list[str]:
    """The forms of `secret` (as written, URL-quoted, form-quoted) found in `outputs`."""
    text = "".join(outputs)
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    return [form for form in forms if form in text]


def _all_channels_config(tmp_path: Path, telegram: TelegramFake, slack: SlackFake) -> Path:
    return write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram,
        telegram_targets=[("1001", "top3")],
        admin_chat_ids=["42"],
        slack=slack,
        slack_targets=[("C0123456", "top3")],
    )


def test_a_wrong_token_met_while_alerting_the_admins_ends_no_publish_with_a_traceback(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake
) -> None:
    """Slack stops (invalid_auth), the admins are told over Telegram, whose token is wrong
    too: the alert is dropped with a line, the run still ends with its report. The run used
    to die with a traceback whose chained InvalidToken named the token."""
    config = _all_channels_config(tmp_path, telegram_fake, slack_fake)
    text = config.read_text().replace(telegram_fake.token, WRONG_TOKEN)
    config.write_text(text.replace(slack_fake.token, WRONG_SLACK))

    done = digestbot(config, "publish", "--file", str(SAMPLE), "--json")

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    channels = json.loads(done.stdout)["channels"]
    assert "rejected" in channels["telegram"]["error"]
    assert "invalid_auth" in channels["slack"]["error"]
    assert "admin message not sent" in done.stderr
    for secret in (WRONG_TOKEN, WRONG_SLACK):
        assert not _leaks(secret, done.stdout, done.stderr), secret


def test_a_retraction_whose_admin_report_meets_a_wrong_token_ends_with_its_report(
    tmp_path: Path, telegram_fake: TelegramFake, slack_fake: SlackFake
) -> None:
    config = _all_channels_config(tmp_path, telegram_fake, slack_fake)
    assert digestbot(config, "publish", "--file", str(SAMPLE)).returncode == 0
    config.write_text(config.read_text().replace(telegram_fake.token, WRONG_TOKEN))

    done = digestbot(config, "retract", "2026-04-20", "--reason", "wrong figures", "--json")
    logged = digestbot(config, "log", "--date", "2026-04-20", "--json")

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["channels"]["slack"]["deleted"] == 1
    assert "rejected" in done.stderr, "the reason is still told, only the token is hidden"
    assert not _leaks(WRONG_TOKEN, done.stdout, done.stderr, logged.stdout, logged.stderr)
