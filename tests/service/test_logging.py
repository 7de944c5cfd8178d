"""What an operator reads in the logs: one line per event, stamped in the issue's timezone with
its offset, optionally one JSON object per line, secrets redacted, a success at INFO, and a
SIGTERM during `publish` that ends with a summary instead of a traceback."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from digestbot.bot.alerts import AdminAlerts
from digestbot.channels import register_secret
from digestbot.cli import logs
from tests.delivery.harness import SAMPLE, write_config
from tests.fakes._server import free_port
from tests.fakes.telegram_server import TelegramFake
from tests.processes import run, start, start_publish
from tests.service.test_run_process import wait_for

pytestmark = pytest.mark.slow
SHANGHAI = dt.timedelta(hours=8)


def outbox_config(tmp_path: Path) -> Path:
    """Every channel to the outbox, polling an empty folder every second all day."""
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path}/ledger.db"\n'
        f'[source]\nkind = "folder"\npath = "{tmp_path}/issues"\ntimezone = "Asia/Shanghai"\n'
        f'[outbox]\npath = "{tmp_path}/outbox"\n'
        '[telegram]\ntransport = "outbox"\ntargets = [{ chat_id = "1", variant = "top3" }]\n'
        '[schedule]\ntime = "00:00"\ndeadline = "23:59"\npoll_every = "1s"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {free_port()}\n',
        encoding="utf-8",
    )
    (tmp_path / "issues").mkdir()
    return config


def run_for_polls(config: Path, log: Path, polls: int, *flags: str) -> list[str]:
    """`digestbot run` until it has logged `polls` polls, then SIGTERM; its stderr lines."""
    proc = start(None, *flags, "--config", str(config), "run", stderr=log.open("wb"))
    try:
        wait_for(lambda: log.read_text().count("poll every") >= polls, 60, "the polls")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return log.read_text(encoding="utf-8").splitlines()


def test_run_logs_one_line_per_event_stamped_in_the_issue_timezone(tmp_path: Path) -> None:
    lines = run_for_polls(outbox_config(tmp_path), tmp_path / "run.log", 3)

    assert not [line for line in lines if "apscheduler" in line], "one line per poll, ours"
    polls = [line for line in lines if "poll every 0:00:01: waiting" in line]
    assert len(polls) >= 3
    assert sum("HTTP server listening" in line for line in lines) == 1
    messages = Counter(line.split(" ", 1)[1] for line in lines)
    assert all(n == 1 for m, n in messages.items() if "poll every" not in m), messages
    for line in lines:
        stamp = dt.datetime.fromisoformat(line.split(" ", 1)[0])  # 2026-04-20T08:30:00.125+08:00
        assert stamp.utcoffset() == SHANGHAI, line
    stamps = [dt.datetime.fromisoformat(line.split(" ", 1)[0]) for line in polls]
    assert abs(stamps[-1] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_json_log_format_writes_one_object_per_line(tmp_path: Path) -> None:
    lines = run_for_polls(outbox_config(tmp_path), tmp_path / "run.log", 2, "--log-format", "json")

    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {tuple(sorted(e)) for e in entries} == {("level", "logger", "message", "time")}
    polls = [e for e in entries if e["message"] == "poll every 0:00:01: waiting"]
    assert len(polls) >= 2 and {e["level"] for e in polls} == {"INFO"}
    assert all(dt.datetime.fromisoformat(e["time"]).utcoffset() == SHANGHAI for e in entries)


@pytest.fixture
def json_logs() -> Iterator[None]:
    """Our handler in JSON mode (writing to the test's captured stderr); text again after."""
    logs.settings.format = logs.LogFormat.JSON
    logs.setup_logging(logging.INFO)
    yield
    logs.settings.format = logs.LogFormat.TEXT
    logs.setup_logging()


@pytest.mark.usefixtures("json_logs")
def test_json_lines_keep_secrets_redacted_in_messages_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "smtp-Pa55word-in-a-json-log-test"
    register_secret(secret)
    log = logging.getLogger("digestbot.test")
    log.warning("login with %s refused", secret)
    try:
        raise RuntimeError(f"AUTH failed for {secret}")
    except RuntimeError:
        log.exception("send failed")

    written = capsys.readouterr().err
    entries = [json.loads(line) for line in written.splitlines()]
    assert [e["message"] for e in entries] == ["login with <redacted> refused", "send failed"]
    assert "AUTH failed for <redacted>" in entries[1]["exception"]
    assert secret not in written


async def test_a_success_report_is_logged_at_info_and_a_problem_as_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="digestbot.bot.alerts")
    alerts = AdminAlerts(None, ())
    await alerts.send("✅ 2026-04-20 published.", level=logging.INFO)
    await alerts.send("⏰ 2026-04-20: late")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "admin alert: ✅ 2026-04-20 published."),
        (logging.WARNING, "admin alert: ⏰ 2026-04-20: late"),
    ]


def test_sigterm_during_publish_ends_with_a_summary_and_a_rerun_finishes(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    chats = [str(6000 + i) for i in range(60)]
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[(chat, "top3") for chat in chats],
        telegram_rate="global_per_second = 5",  # slow enough to be stopped midway
    )
    first = start_publish(config)
    try:
        wait_for(lambda: len(telegram_fake.messages) >= 5, 60, "the publish to start sending")
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    assert first.returncode == 1, err
    assert "Traceback" not in err
    summary = json.loads(out)["channels"]["telegram"]
    assert summary["pending"] > 0, "SIGTERM landed mid-publish"
    assert summary["sent"] == len(telegram_fake.messages), "nothing marked sent that was not"
    second = run(config, "publish", "--json", "--file", str(SAMPLE))
    assert second.returncode == 0, second.stderr
    assert Counter(m.chat_id for m in telegram_fake.messages) == Counter(dict.fromkeys(chats, 1))
