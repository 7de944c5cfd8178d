"""`digestbot parse FILE [--json]`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from tests.parsing._support import SAMPLE, fixture

CONTRACT_KEYS = [
    "date", "title", "overview", "conclusions", "events", "analysis", "x_posts", "research",
    "warnings",
]
EVENT_KEYS = [
    "rank", "title", "what_happened", "key_facts", "why_it_matters", "implications", "sources",
]
X_KEYS = ["rank", "title", "kind", "verification", "verdict", "sources"]
PAPER_KEYS = ["rank", "title", "what", "novelty", "applications", "verdict", "sources"]

runner = CliRunner()


def test_json_output_has_exactly_the_contract_shape() -> None:
    result = runner.invoke(app, ["parse", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == CONTRACT_KEYS
    assert data["date"] == "2026-04-20"
    assert all(list(e) == EVENT_KEYS for e in data["events"])
    assert all(list(x) == X_KEYS for x in data["x_posts"])
    assert all(list(p) == PAPER_KEYS for p in data["research"])
    sources = [s for e in data["events"] for s in e["sources"]]
    assert sources and all(list(s) == ["name", "url"] for s in sources)
    assert data["warnings"] == []


def test_json_output_does_not_escape_non_ascii_and_is_indented() -> None:
    result = runner.invoke(app, ["parse", str(SAMPLE), "--json"])
    assert "AI 前沿发展日报" in result.stdout
    assert "\\u" not in result.stdout
    assert result.stdout.startswith('{\n  "date": ')


def test_json_reads_stdin_as_bytes() -> None:
    data = fixture("markdown_export.md").read_bytes()
    result = runner.invoke(app, ["parse", "-", "--json"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "AI 前沿发展日报"


def test_summary_shows_counts_and_warnings_and_exits_zero() -> None:
    result = runner.invoke(app, ["parse", str(fixture("partial.txt"))])
    assert result.exit_code == 0
    assert "conclusions" in result.stdout and "2" in result.stdout
    assert "line 30: event 2 has no 为什么重要" in result.stdout


@pytest.mark.parametrize(
    ("make_path", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "no such file"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _write(tmp / "empty.txt", b""), "not an issue"),
        (lambda tmp: _write(tmp / "junk.bin", bytes(range(256))), "not an issue"),
        (lambda tmp: fixture("unrelated_page.html"), "not an issue"),
    ],
)
def test_unusable_input_exits_2_with_one_line(
    tmp_path: Path, make_path: object, message: str
) -> None:
    assert callable(make_path)
    result = runner.invoke(app, ["parse", str(make_path(tmp_path))])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert result.stdout == ""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.slow
def test_real_process_missing_file_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    code = "from digestbot.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "parse", str(tmp_path / "nope.txt"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr
