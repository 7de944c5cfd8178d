"""`digestbot check FILE [--json] [--links]`: every class of finding, the parts each digest
takes, the exit codes 0/1/2, on the real seeds and on our own fixtures."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.model import Variant
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer
from tests.checking.link_server import link_server
from tests.parsing._support import fixture
from tests.sample import SAMPLE, sample_with_events

runner = CliRunner()
NO_CONFIG = "no-such-config.toml"  # check needs no deployment: every default applies
_DOTLESS_URL = re.compile(r"https://([\w-]+)(?=[/>)）]|$)")


def check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["--config", NO_CONFIG, "check", str(path), "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def kinds(report: dict[str, Any]) -> list[str]:
    return [f["kind"] for f in report["findings"]]


def today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def redated(text: str, date: str, new: str | None = None) -> str:
    """The issue moved from `date` to `new` (default today), however its dates are spaced."""
    spaced = r"\s*-\s*".join(date.split("-"))
    return re.sub(spaced, new or today(), text)


def test_seed_000_reports_its_two_dotless_urls(seeds: list[Path]) -> None:
    path = next(p for p in seeds if p.name.startswith("000"))
    code, report = check(path)
    assert code == 1
    dotless = [f for f in report["findings"] if f["kind"] == "host-without-dot"]
    lines = path.read_text(encoding="utf-8").splitlines()
    hosts = {h for f in dotless for h in _DOTLESS_URL.findall(lines[f["line"] - 1])}
    assert len(hosts) == 2 and all(f["severity"] == "warning" for f in dotless)


def test_seed_000_with_the_urls_fixed_has_no_dotless_finding(
    seeds: list[Path], tmp_path: Path
) -> None:
    path = next(p for p in seeds if p.name.startswith("000"))
    fixed = tmp_path / path.name
    text = path.read_text(encoding="utf-8")
    fixed.write_text(_DOTLESS_URL.sub(lambda m: f"https://{m.group(1)}.example.com", text), "utf-8")
    code, report = check(fixed)
    assert "host-without-dot" not in kinds(report)
    assert code == 1  # its other findings stay


def test_seed_002_has_no_false_finding(seeds: list[Path], tmp_path: Path) -> None:
    path = next(p for p in seeds if p.name.startswith("002"))
    code, report = check(path)
    assert kinds(report) == ["date"]  # an old issue, nothing else
    assert code == 1
    moved = tmp_path / path.name
    moved.write_text(redated(path.read_text(encoding="utf-8"), "2026-04-08"), "utf-8")
    code, report = check(moved)
    assert (code, report["findings"]) == (0, [])


def test_every_suspicious_source_class_on_our_fixture() -> None:
    code, report = check(fixture("suspicious_sources.txt"))
    assert code == 1
    assert {"host-without-dot", "url-spaces", "plain-http", "duplicate-url", "name-fragment",
            "cut-off"} <= set(kinds(report))
    assert all(f["line"] for f in report["findings"] if f["kind"] != "date")


def test_empty_fields_counts_and_a_missing_section_on_a_partial_issue() -> None:
    code, report = check(fixture("partial.txt"))
    assert code == 1
    found = {(f["line"], f["kind"], f["message"]) for f in report["findings"]}
    assert {
        (11, "count", "今日三条结论 promises 3 items but has 2"),
        (30, "missing", "event 2 has no 为什么重要"),
        (44, "missing", "no X 平台高信号观点 section (x_posts is empty)"),
    } <= found
    assert set(kinds(report)) == {"date", "count", "missing"}


@pytest.mark.parametrize(
    ("days", "when"), [(1, "in the future"), (-1, "in the past")], ids=["tomorrow", "yesterday"]
)
def test_a_date_other_than_today_is_a_warning(tmp_path: Path, days: int, when: str) -> None:
    other = (dt.date.fromisoformat(today()) + dt.timedelta(days=days)).isoformat()
    path = tmp_path / "issue.txt"
    path.write_text(redated(SAMPLE.read_text(encoding="utf-8"), "2026-04-20", other), "utf-8")
    code, report = check(path)
    assert (code, kinds(report)) == (1, ["date"])
    assert when in report["findings"][0]["message"]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "not-an-issue"),
        ("<html><body><p>404 页面不存在</p></body></html>".encode(), "not-an-issue"),
        (sample_with_events(21, heading="今日大事件").encode(), "limit"),
        (SAMPLE.read_bytes() + "补充。".encode() * 800_000, "limit"),
    ],
    ids=["empty", "unrelated-page", "over-item-cap", "over-size-cap"],
)
def test_what_publish_would_refuse_is_an_error(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "issue.txt"
    path.write_bytes(content)
    code, report = check(path)
    assert code == 2
    assert report["errors"] >= 1 and report["findings"][0]["kind"] == kind
    assert report["findings"][0]["severity"] == "error"


def test_an_issue_without_conclusions_is_an_error(tmp_path: Path) -> None:
    text = redated(SAMPLE.read_text(encoding="utf-8"), "2026-04-20")
    start, end = text.index("今日三条结论"), text.index("今日 Top 5 大事件")
    path = tmp_path / "issue.txt"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    code, report = check(path)
    assert code == 2
    assert "the issue has no conclusions (今日三条结论)" in [
        f["message"] for f in report["findings"] if f["severity"] == "error"
    ]


def test_parts_and_splits_match_the_renderer(tmp_path: Path) -> None:
    path = tmp_path / "issue.txt"
    path.write_text(sample_with_events(14, heading="今日大事件"), encoding="utf-8")
    _, report = check(path)
    issue = parse_issue(path.read_bytes(), filename=path.name)
    renderer = Renderer()
    for channel, variants in report["parts"].items():
        assert set(variants) == {v.value for v in Variant}
        for variant, parts in variants.items():
            assert parts["parts"] == len(renderer.render(issue, channel, variant))
            assert len(parts["splits_before"]) == parts["parts"] - 1
    telegram_full = report["parts"]["telegram"]["full"]
    assert telegram_full["parts"] >= 2
    assert all(re.match(r"\d+\. 第 \d+ 条事件|\S", s) for s in telegram_full["splits_before"])
    assert report["parts"]["email"]["full"]["parts"] == 1


def test_human_output_lists_findings_parts_and_the_verdict() -> None:
    result = runner.invoke(app, ["--config", NO_CONFIG, "check", str(fixture("partial.txt"))])
    assert result.exit_code == 1
    assert "line 30" in result.stdout and "event 2 has no 为什么重要" in result.stdout
    assert "telegram" in result.stdout and "email" in result.stdout
    assert result.stdout.rstrip().endswith("it may go out, but look at them first")


def _issue_citing(base: str, paths: list[str]) -> str:
    """A short issue of today whose events cite `base` + each path (and nothing else)."""
    events = "\n\n".join(
        f"{n}. 第 {n} 条事件\n\n发生了什么：第 {n} 件事。\n\n关键信息：有。\n\n"
        f"为什么重要：重要。\n\n对产业 / 企业的启发：有。\n\n可信来源：来源 {n} (<{base}{path}>)"
        for n, path in enumerate(paths, start=1)
    )
    return (
        f"AI 前沿发展日报 | {today()}\n\n日期：{today()}\n\n覆盖窗口：一周\n\n"
        "今日总览\n\n总览。\n\n"
        "今日三条结论\n\n1. 一。\n2. 二。\n3. 三。\n\n"
        f"今日大事件\n\n{events}\n\n商业与应用解读\n\n解读。\n\nX 平台高信号观点\n\n"
        "1. @someone：观点\n\n类型：观点\n\n验证状态：未验证。\n\n一句话判断：有。\n\n"
        f"来源：来源 1 (<{base}{paths[0]}>)\n\n前沿研究速递\n\n1. 论文\n\n做了什么：有。\n\n"
        "新在哪里：有。\n\n潜在应用方向：有。\n\n一句话判断：有。\n\n"
        f"来源：arXiv (<{base}/ok/paper>)\n"
    )


def test_links_are_checked_against_the_server_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "issue.txt"
    with link_server() as server:
        path.write_text(_issue_citing(server.base, ["/ok/a", "/gone", "/no-head", "/boom"]),
                        encoding="utf-8")
        code, report = check(path)
        # The local server speaks http://, so that is all there is to say without --links.
        assert set(kinds(report)) == {"plain-http"} and report["links"] is None
        assert server.requests == []
        code, report = check(path, "--links", "--link-timeout", "30")
    assert all(r["url"].startswith(server.base) for r in report["links"])
    broken = {r["url"].removeprefix(server.base): r for r in report["links"] if r["problem"]}
    assert {u: r["status"] for u, r in broken.items()} == {"/gone": 404, "/boom": 500}
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(url in lines[r["line"] - 1] for url, r in broken.items())
    assert sorted(f["line"] for f in report["findings"] if f["kind"] == "link") == sorted(
        r["line"] for r in broken.values()
    )
    assert code == 1
    assert len(report["links"]) == 5  # /ok/a is cited twice, asked once
