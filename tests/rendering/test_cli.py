"""`digestbot render` and `digestbot preview` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from tests.conftest import seed_paths
from tests.rendering.cases import ISSUE_FIXTURES_DIR

runner = CliRunner()


def _issue_file() -> Path:
    candidates = [*seed_paths(), *sorted(ISSUE_FIXTURES_DIR.glob("*.md"))]
    if not candidates:
        pytest.skip("no issue file (seeds or parser fixtures) to render")
    return candidates[0]


@pytest.mark.parametrize(
    ("channel", "keys"),
    [("telegram", {"text", "parse_mode"}), ("slack", {"text", "blocks"})],
)
@pytest.mark.parametrize("variant", ["top3", "top5", "full"])
def test_render_json_prints_a_list_of_messages(channel: str, keys: set[str], variant: str) -> None:
    result = runner.invoke(
        app, ["render", str(_issue_file()), "--channel", channel, "--variant", variant, "--json"]
    )
    assert result.exit_code == 0, result.output
    messages = json.loads(result.stdout)
    assert isinstance(messages, list) and messages
    assert all(keys <= set(m) for m in messages)
    assert "\\u" not in result.stdout.split('"parse_mode"')[0]  # ensure_ascii=False


def test_render_json_prints_one_email_object() -> None:
    result = runner.invoke(
        app, ["render", str(_issue_file()), "--channel", "email", "--variant", "full", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"subject", "text", "html"}


def test_render_without_json_prints_what_would_be_sent() -> None:
    result = runner.invoke(
        app, ["render", str(_issue_file()), "--channel", "telegram", "--variant", "top3"]
    )
    assert result.exit_code == 0
    assert "<b>今日三条结论</b>" in result.stdout


def test_render_uses_an_operator_templates_dir(tmp_path: Path) -> None:
    (tmp_path / "telegram").mkdir()
    (tmp_path / "telegram" / "top3.html.j2").write_text("CUSTOM {{ issue.date_iso }}")
    result = runner.invoke(
        app,
        [
            "render",
            str(_issue_file()),
            "--channel",
            "telegram",
            "--variant",
            "top3",
            "--templates-dir",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["text"].startswith("CUSTOM 20")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "no-such-file.txt", "--channel", "telegram"], "no such file"),
        (["render", "{issue}", "--channel", "fax"], "'fax' is not one of 'telegram'"),
        (["render", "{issue}", "--channel", "slack", "--variant", "top4"], "'top4' is not one of"),
        (["render", "{empty}", "--channel", "slack"], "not an issue"),
        (["render", "{issue}", "--channel", "slack", "--templates-dir", "{broken}"], "top5"),
        (["preview", "no-such-file.txt", "--out", "{tmp}"], "no such file"),
    ],
)
def test_bad_input_fails_with_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    broken = tmp_path / "broken"
    (broken / "slack").mkdir(parents=True)
    (broken / "slack" / "top5.json.j2").write_text("{% for %}")
    values = {
        "issue": str(_issue_file()),
        "empty": str(empty),
        "broken": str(broken),
        "tmp": str(tmp_path / "out"),
    }
    result = runner.invoke(app, [a.format(**values) for a in args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_preview_writes_a_gallery_with_nine_panes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["preview", str(_issue_file()), "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "g" / "index.html").read_text(encoding="utf-8")
    for channel in ("telegram", "slack", "email"):
        for variant in ("top3", "top5", "full"):
            assert f'id="pane-{channel}-{variant}"' in page
