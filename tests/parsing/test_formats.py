"""Markdown exports, CMS HTML pages and every supported encoding reach the same model."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest

from digestbot.model import Issue
from digestbot.parsing import Format, detect_format, parse_issue
from tests.parsing._support import SAMPLE, fixture


def _sources(issue: Issue) -> list[str]:
    return [
        s.url
        for item in (*issue.events, *issue.x_posts, *issue.research)
        for s in item.sources
    ]


def test_markdown_export_parses_headings_bold_labels_bullets_and_links() -> None:
    path = fixture("markdown_export.md")
    issue = parse_issue(path.read_bytes(), filename=path.name)
    assert issue.title == "AI 前沿发展日报"
    assert issue.date == dt.date(2026, 5, 4)
    assert issue.coverage == "重点核查 2026-04-28 至 2026-05-04 期间新增信息"
    assert len(issue.overview) == 2
    assert "**" not in issue.overview[0]
    assert len(issue.conclusions) == 3
    assert [e.title for e in issue.events] == [
        "云帆科技发布 Sail-Agent 2，支持跨应用操作",
        "青禾医疗与云帆科技共建医学影像数据平台",
        "开源社区发布 Tern-13B，主打长文档理解",
    ]
    first = issue.events[0]
    assert first.what_happened.startswith("云帆科技于 2026-05-02 发布 Sail-Agent 2")
    assert first.implications.startswith("企业应先从低风险流程试点")
    assert [s.name for s in first.sources] == ["云帆科技新闻稿", "科技日报道"]
    # A label alone on its line with a bulleted list of sources below it.
    assert [s.name for s in issue.events[1].sources] == [
        "青禾医疗公告",
        "健康时报：医学影像数据平台启动",
    ]
    assert len(issue.x_posts) == 2
    assert issue.x_posts[0].verdict == "办公 agent 的竞争会集中在集成深度上。"
    assert [p.title for p in issue.research] == [
        "DocChain：长文档推理的链式检索方法",
        "PixelOps：让多模态 agent 直接操作图形界面",
    ]
    assert issue.research[1].sources[0].name == "arXiv：PixelOps"
    # Three events under a "Top 5" heading is kept, and said.
    assert issue.warnings == ("line 21: 今日 Top 5 大事件 promises 5 items but has 3",)


def test_html_page_takes_only_the_article_and_ignores_site_chrome_links() -> None:
    path = fixture("cms_page.html")
    issue = parse_issue(path.read_bytes(), filename=path.name)
    assert issue.title == "AI 前沿发展日报"
    assert issue.date == dt.date(2026, 5, 11)
    assert len(issue.overview) == 2
    assert len(issue.conclusions) == 3
    assert [e.title for e in issue.events] == [
        "启明半导体发布 Dawn-2 推理芯片",
        "监管机构发布模型透明度文档模板",
    ]
    assert issue.events[0].why_it_matters.startswith("推理成本")
    urls = _sources(issue)
    assert urls == [
        "https://qiming-semi.example/news/dawn-2",
        "https://chip-weekly.example/2026/05/dawn-2?ref=daily&lang=zh",  # &amp; decoded
        "https://digital-office.example/consultation/transparency-template",
        "https://x.example/chip_analyst/status/4001",
        "https://arxiv.example/abs/2605.09999",
    ]
    chrome = ("frontier-watch.example", "share.example", "cdn.example", "tracker.example")
    everything = str(issue.to_contract())
    for host in chrome:
        assert host not in everything
    assert "热门文章" not in everything and "隐私政策" not in everything
    assert len(issue.x_posts) == 1 and len(issue.research) == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cms_page.html", Format.HTML),
        ("markdown_export.md", Format.MARKDOWN),
        ("partial.txt", Format.TEXT),
        ("hostile.txt", Format.TEXT),
    ],
)
def test_format_is_detected_from_content_without_a_filename(name: str, expected: Format) -> None:
    assert detect_format(fixture(name).read_text(encoding="utf-8")) is expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("issue.TXT", Format.TEXT),
        ("issue.md", Format.MARKDOWN),
        ("issue.markdown", Format.MARKDOWN),
        ("issue.htm", Format.HTML),
        ("issue.html", Format.HTML),
    ],
)
def test_extension_decides_the_format(filename: str, expected: Format) -> None:
    assert detect_format("<html>今日总览</html>\n# 今日总览", filename) is expected


def test_markdown_and_html_parse_the_same_without_a_filename() -> None:
    for name in ("markdown_export.md", "cms_page.html"):
        data = fixture(name).read_bytes()
        assert parse_issue(data) == parse_issue(data, filename=name)


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode(), id="crlf+bom"),
        pytest.param(lambda t: t.replace("\n", "\r").encode("utf-8"), id="cr-only"),
        pytest.param(lambda t: t.encode("gb18030"), id="gb18030"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_every_supported_encoding_gives_the_same_issue(encode: object) -> None:
    text = _sample_text()
    reference = parse_issue(text.encode("utf-8"), filename="a.txt")
    assert callable(encode)
    issue = parse_issue(encode(text), filename="a.txt")
    assert issue == reference
    assert issue.warnings == ()
    assert issue.title == "AI 前沿发展日报"


def test_stray_whitespace_is_normalized_but_emoji_joiners_survive() -> None:
    text = _sample_text()
    noisy = "\n".join(
        f"\u200b{line}\u00a0\u3000 \t\u200b" if line else line for line in text.split("\n")
    )
    noisy = noisy.replace("今日三条结论", "今日 三条 结论：").replace(
        "1. 推理价格战", "1. 👩\u200d💻 推理价格战"
    )
    issue = parse_issue(noisy, filename="noisy.txt")
    reference = parse_issue(text, filename="a.txt")
    assert issue.events == reference.events
    assert issue.overview == reference.overview
    assert issue.conclusions[0].startswith("👩\u200d💻 推理价格战")
    assert issue.warnings == ()


def test_sample_issue_is_complete_and_clean() -> None:
    issue = parse_issue(SAMPLE.read_bytes(), filename=SAMPLE.name)
    assert issue.date == dt.date(2026, 4, 20)
    assert issue.warnings == ()
    counts = [len(issue.overview), len(issue.conclusions), len(issue.events),
              len(issue.analysis), len(issue.x_posts), len(issue.research)]
    assert counts == [3, 3, 5, 3, 3, 3]
    assert all(e.sources for e in issue.events)


@pytest.mark.parametrize("name", ["markdown_export.md", "cms_page.html"])
def test_bom_and_crlf_do_not_hide_markdown_or_html(name: str) -> None:
    text = fixture(name).read_text(encoding="utf-8")
    reference = parse_issue(text, filename=name)
    noisy = "\ufeff" + text.replace("\n", "\r\n")
    assert parse_issue(noisy, filename=name) == reference
    assert parse_issue(noisy) == reference
    assert parse_issue(codecs.BOM_UTF8 + noisy[1:].encode()) == reference
