"""The two real issues in ../shared/seeds parse completely, cleanly and normalized."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from digestbot.model import Issue
from digestbot.parsing import WarningKind, parse_issue, read_issue

# Keyed by the seed's number prefix so the table survives a renamed hash suffix.
EXPECTED = {
    "000": {"date": dt.date(2026, 4, 16), "title": "AI 前沿发展日报"},
    "002": {"date": dt.date(2026, 4, 8), "title": "AI前沿发展日报"},
}
# The findings that are right (issue 9 point 4), as (line, kind). Seed 000: two URLs whose
# host has no dot, a source name cut off at the front, and one arXiv URL under two papers'
# names. Seed 002 cites one announcement from several items under the same name: not a finding.
FINDINGS = {
    "000": [
        (85, WarningKind.HOST_WITHOUT_DOT),
        (85, WarningKind.HOST_WITHOUT_DOT),
        (129, WarningKind.NAME_FRAGMENT),
        (155, WarningKind.DUPLICATE_URL),
    ],
    "002": [],
}
_DOTLESS_URL = re.compile(r"https://([\w-]+)(?=[/>)）]|$)")


def _parse(path: Path) -> Issue:
    return parse_issue(path.read_bytes(), filename=path.name)


def _all_text(issue: Issue) -> str:
    import json

    return json.dumps(issue.to_contract(), ensure_ascii=False)


def test_seed_parses_with_its_date_title_and_exactly_the_right_findings(seed: Path) -> None:
    parsed = read_issue(seed.read_bytes(), filename=seed.name)
    expected = EXPECTED[seed.name[:3]]
    assert parsed.issue.date == expected["date"]
    assert parsed.issue.title == expected["title"]
    assert parsed.issue.coverage.startswith("重点核查")
    assert [(w.line, w.kind) for w in parsed.warnings] == FINDINGS[seed.name[:3]]
    assert parsed.issue.warnings == tuple(str(w) for w in parsed.warnings)


def test_seed_000_findings_point_at_the_lines_that_hold_them(seeds: list[Path]) -> None:
    path = next(p for p in seeds if p.name.startswith("000"))
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed = read_issue(path.read_bytes(), filename=path.name)
    dotless = [w for w in parsed.warnings if w.kind is WarningKind.HOST_WITHOUT_DOT]
    found_hosts = {host for w in dotless for host in _DOTLESS_URL.findall(lines[w.line - 1])}
    assert len(found_hosts) == 2
    assert all(any(host in w.message for w in dotless) for host in found_hosts)
    fragment = next(w for w in parsed.warnings if w.kind is WarningKind.NAME_FRAGMENT)
    assert fragment.message.split(": ")[-1] in lines[fragment.line - 1]
    duplicate = next(w for w in parsed.warnings if w.kind is WarningKind.DUPLICATE_URL)
    url = duplicate.message.split(": ")[-1].removeprefix("https://")
    assert url in lines[duplicate.line - 1]
    assert "(line 143)" in duplicate.message and url in lines[143 - 1]


def test_seed_000_with_its_dotless_urls_fixed_has_no_dotless_finding(seeds: list[Path]) -> None:
    path = next(p for p in seeds if p.name.startswith("000"))
    text = path.read_text(encoding="utf-8")
    fixed = _DOTLESS_URL.sub(lambda m: f"https://{m.group(1)}.example.com", text)
    parsed = read_issue(fixed, filename=path.name)
    kinds = [w.kind for w in parsed.warnings]
    assert WarningKind.HOST_WITHOUT_DOT not in kinds
    assert kinds.count(WarningKind.NAME_FRAGMENT) == 1  # the other findings stay


def test_seed_has_exact_counts_of_every_section(seed: Path) -> None:
    issue = _parse(seed)
    assert len(issue.overview) == 3
    assert len(issue.conclusions) == 3
    assert len(issue.events) == 5
    assert len(issue.analysis) == 3
    assert len(issue.x_posts) == 3
    assert len(issue.research) == 3
    assert [e.rank for e in issue.events] == [1, 2, 3, 4, 5]


def test_seed_items_have_every_field_and_an_https_source(seed: Path) -> None:
    issue = _parse(seed)
    for event in issue.events:
        assert event.title
        assert event.what_happened
        assert event.key_facts
        assert event.why_it_matters
        assert event.implications
        assert event.sources, event.title
        assert all(s.url.startswith("https://") and s.name for s in event.sources)
    for post in issue.x_posts:
        assert post.kind and post.verification and post.verdict and post.sources
    for paper in issue.research:
        assert paper.what and paper.novelty and paper.applications and paper.verdict
        assert paper.sources


def test_seed_spaced_dates_and_names_are_closed_up(seed: Path) -> None:
    text = _all_text(_parse(seed))
    assert "2026 - 04" not in text
    assert " - 5" not in text


def test_seed_000_normalizes_model_names_and_rejoins_broken_paragraph(seeds: list[Path]) -> None:
    issue = _parse(next(p for p in seeds if p.name.startswith("000")))
    assert "GPT-5.4-Cyber" in issue.events[0].what_happened
    assert issue.research[0].title.startswith("Habitat-GS")
    assert issue.research[1].title.startswith("Audio-Omni")
    assert "Multi-modal" in issue.research[1].sources[0].name
    # "…随\n\n着大客户…" was one sentence broken in two: joined without a space.
    assert "随着大客户" in issue.analysis[2]


def test_seed_000_sources_of_every_style(seeds: list[Path]) -> None:
    issue = _parse(next(p for p in seeds if p.name.startswith("000")))
    first = issue.events[0].sources
    # Link text on one line, its Markdown link (display URL) on the next.
    assert [(s.name, s.url) for s in first] == [
        (
            "OpenAI | Trusted access for the next era of cyberspace",
            "https://openai.com/index/scaling-trusted-access-for-cybersecurity",
        )
    ]
    second = issue.events[1].sources
    assert len(second) == 2
    assert second[1].url.endswith("cyber-defence-expansion")  # "(4596854)" junk dropped
    assert [s.name for s in issue.x_posts[1].sources] == [
        "Alat Meta on X",
        "Meta | Introducing Muse Spark",
    ]
    # A source split over two lines: name, then "(<url>)" below it.
    assert issue.research[2].sources[0].name == "arXiv | SkillClaw: Let Skills Evolve Collectively"
    assert issue.research[2].sources[0].url == "https://arxiv.org/abs/2604.08377"


def test_seed_002_header_and_broken_paragraph_are_joined(seeds: list[Path]) -> None:
    path = next(p for p in seeds if p.name.startswith("002"))
    issue = _parse(path)
    # The expected text is read from the seed, never copied here (../shared/seeds/README.md).
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    wrapped = lines[next(i for i, line in enumerate(lines) if "覆盖窗口：" in line) + 1]
    broken = [line for line in lines[lines.index("商业与应用解读") + 1 :] if line][:2]
    # 日期 and 覆盖窗口 share a line and the 覆盖窗口 wraps onto the next one.
    assert issue.coverage == f"重点核查 2026-04-01 至 2026-04-08 {wrapped}"
    # The first analysis paragraph is broken after a date: joined with one space.
    assert broken[0].endswith("2026-04-08")
    assert issue.analysis[0].startswith(f"{broken[0]} {broken[1][:4]}")


def test_seed_002_full_width_bare_and_unclosed_sources(seeds: list[Path]) -> None:
    issue = _parse(next(p for p in seeds if p.name.startswith("002")))
    third = issue.events[2].sources
    assert third[0].name == "Microsoft 官方公告"
    assert third[1].name.startswith("Reuters：Microsoft to invest $10 billion")
    fifth = issue.events[4].sources
    assert [s.name for s in fifth] == ["NVIDIA 官方公告 PDF", "NVIDIA Newsroom 页面"]
    assert fifth[1].url.endswith("ai-infrastructure-")
