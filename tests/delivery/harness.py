"""A config file pointing every channel at the local fakes, and the sample issue."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from digestbot.config import Config, load_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.fakes.telegram_server import TelegramFake
from tests.sample import DAY, REPO, SAMPLE, sample_issue

SMTP_PASSWORD = "smtp-Pa55word-for-tests"
UNSUBSCRIBE_SECRET = "unsubscribe-hmac-secret-for-tests"


def _targets(key: str, pairs: Sequence[tuple[str, str]]) -> str:
    items = ", ".join(f"{{ {key} = {json.dumps(t)}, variant = {json.dumps(v)} }}" for t, v in pairs)
    return f"targets = [{items}]"


def _keys(channel_keys: Mapping[str, str], channel: str) -> str:
    keys = channel_keys.get(channel, "")
    return f"{keys}\n" if keys else ""


def write_config(
    folder: Path,
    *,
    store_url: str,
    telegram: TelegramFake | TelegramFakeProcess | None = None,
    telegram_targets: Sequence[tuple[str, str]] = (),
    admin_chat_ids: Sequence[str] = (),
    slack: SlackFake | None = None,
    slack_targets: Sequence[tuple[str, str]] = (),
    smtp: SmtpFake | None = None,
    email_targets: Sequence[tuple[str, str]] = (),
    delivery: str = "backoff_base = 0.05\nbackoff_cap = 0.2\nconcurrency = 50",
    telegram_rate: str = "",
    channel_keys: Mapping[str, str] = {},
) -> Path:
    """A config for the given fakes. `channel_keys` adds TOML lines to a channel's table
    (`{"email": "connections = 2"}`)."""
    lines = [
        f"[store]\nurl = {json.dumps(store_url)}",
        f'[source]\nkind = "folder"\npath = {json.dumps(str(folder / "issues"))}',
        f"[outbox]\npath = {json.dumps(str(folder / 'outbox'))}",
        f"[delivery]\n{delivery}",
    ]
    if telegram is not None:
        lines.append(
            "[telegram]\n"
            f"token = {json.dumps(telegram.token)}\n"
            f"api_base_url = {json.dumps(telegram.url + '/bot')}\n"
            f"admin_chat_ids = {json.dumps(list(admin_chat_ids))}\n"
            + _keys(channel_keys, "telegram")
            + _targets("chat_id", telegram_targets)
        )
        if telegram_rate:
            lines.append(f"[telegram.rate]\n{telegram_rate}")
    if slack is not None:
        lines.append(
            "[slack]\n"
            f"token = {json.dumps(slack.token)}\n"
            f"base_url = {json.dumps(slack.api_url)}\n"
            + _keys(channel_keys, "slack")
            + _targets("channel", slack_targets)
        )
    if smtp is not None:
        lines.append(
            "[email]\n"
            f'host = "{smtp.host}"\nport = {smtp.port}\nsecurity = "none"\n'
            f"username = {json.dumps(smtp.username or '')}\n"
            f"password = {json.dumps(SMTP_PASSWORD)}\n"
            'from = "AI 前沿发展日报 <digest@example.org>"\n'
            'unsubscribe_url = "https://digest.example.org/unsubscribe"\n'
            f"unsubscribe_secret = {json.dumps(UNSUBSCRIBE_SECRET)}\n"
            + _keys(channel_keys, "email")
            + _targets("address", email_targets)
        )
    path = folder / "digestbot.toml"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> Config:
    return load_config(path)


__all__ = [
    "DAY",
    "REPO",
    "SAMPLE",
    "SMTP_PASSWORD",
    "UNSUBSCRIBE_SECRET",
    "load",
    "sample_issue",
    "write_config",
]
