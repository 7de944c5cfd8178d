"""`digestbot publish / log / retry` as an operator uses them: exit codes, messages, ledger."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from tests.delivery.harness import REPO, SAMPLE, write_config
from tests.fakes.telegram_server import TelegramFake

runner = CliRunner()


def invoke(config: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    """config/demo.toml with its data folder moved into tmp_path."""
    text = (REPO / "config" / "demo.toml").read_text(encoding="utf-8")
    text = text.replace("demo-data/", f"{tmp_path}/demo-data/")
    text = text.replace('path = "samples"', f'path = "{REPO / "samples"}"')
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def outbox_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "demo-data" / "outbox").rglob("*") if p.is_file())


def test_demo_publish_then_republish_sends_nothing_twice(demo_config: Path) -> None:
    code, _, err = invoke(demo_config, "publish", "--file", str(SAMPLE))
    assert code == 0, err
    first = outbox_files(demo_config.parent)
    assert any(p.parent.parent.name == "telegram" for p in first)
    assert any(p.suffix == ".eml" for p in first)
    code, out, err = invoke(demo_config, "publish", "--file", str(SAMPLE), "--json")
    assert code == 0, err
    assert outbox_files(demo_config.parent) == first
    summary = json.loads(out)
    assert summary["unfinished"] == 0
    assert summary["channels"]["telegram"]["sent"] == 3
    assert summary["channels"]["email"]["pending"] == 0
    code, out, _ = invoke(demo_config, "log", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["channel"] for r in rows} == {"telegram", "slack", "email"}
    assert all(r["status"] == "sent" for r in rows)


def test_publish_by_date_reads_the_configured_source(demo_config: Path) -> None:
    code, _, err = invoke(demo_config, "publish", "--date", "2026-04-20", "--channel", "email")
    assert code == 0, err
    code, out, _ = invoke(demo_config, "log", "--json", "--channel", "telegram")
    assert out.strip() == "", "only the chosen channel was published"


def test_a_malformed_issue_is_refused_before_anything_is_recorded(
    demo_config: Path, tmp_path: Path
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    broken = text[: text.index("今日三条结论")] + text[text.index("今日 Top 5 大事件") :]
    bad = tmp_path / "2026-04-20.txt"
    bad.write_text(broken, encoding="utf-8")
    code, _, err = invoke(demo_config, "publish", "--file", str(bad))
    assert code == 2
    assert "no conclusions" in err and "nothing was sent" in err
    assert "Traceback" not in err
    assert outbox_files(demo_config.parent) == []
    code, out, _ = invoke(demo_config, "log", "--json")
    assert out.strip() == ""


def test_an_issue_for_another_day_is_refused_by_date(demo_config: Path, tmp_path: Path) -> None:
    code, _, err = invoke(demo_config, "publish", "--date", "2026-04-21")
    assert code == 2
    assert "no issue for 2026-04-21" in err


def test_a_different_version_of_a_published_day_needs_replace(
    demo_config: Path, tmp_path: Path
) -> None:
    assert invoke(demo_config, "publish", "--file", str(SAMPLE), "--channel", "email")[0] == 0
    edited = tmp_path / "2026-04-20.txt"
    edited.write_text(SAMPLE.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    code, _, err = invoke(demo_config, "publish", "--file", str(edited))
    assert code == 2 and "--replace" in err
    code, _, err = invoke(demo_config, "publish", "--file", str(edited), "--replace")
    assert code == 0, err


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[telegram]\ntoken = "x"\ntargets = [{ chat_id = "1", variant = "top9" }]\n')
    code, _, err = invoke(config, "publish", "--file", str(SAMPLE))
    assert code == 2
    assert "telegram.targets[0].variant" in err
    assert "Traceback" not in err


def test_failed_delivery_exits_1_shows_in_the_log_and_retry_leaves_permanent_ones(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    telegram_fake.forget("404")
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("1", "top3"), ("404", "top3")],
    )
    code, _, err = invoke(config, "publish", "--file", str(SAMPLE))
    assert code == 1
    code, out, _ = invoke(config, "log", "--status", "failed", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["target"], r["status"]) for r in rows] == [("404", "failed")]
    assert "chat not found" in rows[0]["last_error"].lower()
    assert telegram_fake.token not in out + err
    code, _, err = invoke(config, "retry")
    assert code == 1
    assert "reopened 0 deliveries" in err
    assert len(telegram_fake.messages_to("1")) == 1


def test_log_rejects_an_unknown_status(demo_config: Path) -> None:
    code, _, err = invoke(demo_config, "log", "--status", "lost")
    assert code == 2 and "--status" in err


def test_make_demo_paths_exist() -> None:
    # The Makefile's demo target publishes this file with this config.
    assert (REPO / "config" / "demo.toml").is_file()
    assert SAMPLE.is_file()
    assert os.access(REPO / ".ci" / "run", os.X_OK)


def test_dry_run_shows_targets_and_parts_and_sends_or_records_nothing(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("1", "top3"), ("2", "top3"), ("3", "full")],
    )
    code, out, err = invoke(config, "publish", "--file", str(SAMPLE), "--dry-run")
    assert code == 0, err
    assert "nothing sent, nothing recorded" in err
    row = next(line for line in err.splitlines() if "telegram" in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[:5] == ["telegram", "3", "2", "0", "1"]  # targets, then top3 / top5 / full
    assert telegram_fake.requests == [], "not even getMe"
    code, out, _ = invoke(config, "log", "--json")
    assert code == 0 and out.strip() == "", "no ledger rows"
    code, _, err = invoke(config, "retry")
    assert code == 2 and "no published issue yet" in err, "nothing archived either"


def test_retry_leaves_uncertain_parts_alone_unless_asked_then_resends_them(
    tmp_path: Path, telegram_fake: TelegramFake
) -> None:
    config = write_config(
        tmp_path,
        store_url=f"sqlite:///{tmp_path}/ledger.db",
        telegram=telegram_fake,
        telegram_targets=[("1", "top3"), ("2", "top3")],
    )
    # Chat 2's message arrives but the answer never comes back: it may or may not be there.
    telegram_fake.drop("2", times=1, deliver=True)
    code, _, err = invoke(config, "publish", "--file", str(SAMPLE))
    assert code == 1, err
    statuses = {r["target"]: r["status"] for r in log_rows(config)}
    assert statuses == {"1": "sent", "2": "uncertain"}

    code, _, err = invoke(config, "retry")
    assert code == 1 and "reopened 0 deliveries" in err
    assert len(telegram_fake.messages_to("2")) == 1, "a plain retry never risks a duplicate"

    code, out, err = invoke(config, "retry", "--uncertain", "--json")
    assert code == 0, err
    assert "reopened 1 deliveries" in err
    assert json.loads(out)["channels"]["telegram"]["sent"] == 2
    assert {r["target"]: r["status"] for r in log_rows(config)} == {"1": "sent", "2": "sent"}
    assert len(telegram_fake.messages_to("2")) == 2, "the operator accepted a duplicate"
    assert len(telegram_fake.messages_to("1")) == 1


def log_rows(config: Path) -> list[dict[str, object]]:
    code, out, _ = invoke(config, "log", "--json")
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]
