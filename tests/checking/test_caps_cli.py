"""An issue over an input cap is refused before any send with one line and exit 2, nothing
recorded; `parse` still shows it, with the reason among its warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from tests.sample import REPO, SAMPLE, sample_with_events

runner = CliRunner()


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """config/demo.toml (outbox + SQLite) with its data folder in tmp_path."""
    text = (REPO / "config" / "demo.toml").read_text(encoding="utf-8")
    path = tmp_path / "demo.toml"
    path.write_text(text.replace("demo-data/", f"{tmp_path}/demo-data/"), encoding="utf-8")
    return path


def invoke(config: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def assert_nothing_recorded(config: Path) -> None:
    assert not list((config.parent / "demo-data" / "outbox").rglob("*.*"))
    code, out, _ = invoke(config, "log", "--json")
    assert code == 0 and out.strip() == ""


def _write(folder: Path, text: str) -> Path:
    path = folder / "2026-04-20.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("dry_run", [False, True], ids=["publish", "dry-run"])
def test_a_file_over_the_size_cap_is_refused_in_one_line(
    demo: Path, tmp_path: Path, dry_run: bool
) -> None:
    # 2.5 MB: the sample's own text, its analysis padded (never parsed on this path).
    path = _write(tmp_path, SAMPLE.read_text(encoding="utf-8") + "补充。" * 300_000)
    code, _, err = invoke(demo, "publish", "--file", str(path), *(["--dry-run"] * dry_run))
    assert code == 2
    assert err.splitlines() == [
        "digestbot: error: refused, nothing was sent: the issue is 2.6 MB, over the 2.0 MB cap"
    ]
    assert_nothing_recorded(demo)


def test_more_events_than_the_cap_is_refused_and_parse_still_shows_them(
    demo: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path, sample_with_events(25, heading="今日大事件"))
    code, _, err = invoke(demo, "publish", "--file", str(path), "--dry-run")
    assert code == 2
    assert err.splitlines() == [
        "digestbot: error: refused, nothing was sent: line 23: 今日大事件 has 25 items, over "
        "the cap of 20 per section"
    ]
    assert_nothing_recorded(demo)
    code, out, _ = invoke(demo, "parse", str(path), "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["events"]) == 25
    assert "line 23: 今日大事件 has 25 items, over the cap of 20 per section" in data["warnings"]


def test_caps_come_from_the_config(demo: Path, tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text(demo.read_text(encoding="utf-8") + "\n[limits]\nmax_items = 4\n", "utf-8")
    code, _, err = invoke(strict, "publish", "--file", str(SAMPLE))
    assert code == 2 and "has 5 items, over the cap of 4 per section" in err
    assert_nothing_recorded(strict)
    code, out, _ = invoke(strict, "parse", str(SAMPLE))
    assert code == 0 and "over the cap of 4 per section" in out
    code, _, err = invoke(demo, "publish", "--file", str(SAMPLE), "--dry-run")
    assert code == 0, err


def test_a_bad_cap_in_the_config_names_its_key(demo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(demo.read_text(encoding="utf-8") + "\n[limits]\nmax_items = 0\n", "utf-8")
    code, _, err = invoke(bad, "publish", "--file", str(SAMPLE))
    assert code == 2 and "limits.max_items" in err
