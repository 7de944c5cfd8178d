"""Item titles written as headings (<h2>–<h4>, `###`) come out clean, whatever the numbering."""

from __future__ import annotations

import re

import pytest

from digestbot.model import Issue, Variant
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer
from tests.parsing._support import fixture

_ITEM = (
    "<p><strong>发生了什么</strong>：甲公司于 2026-06-01 发布新品。</p>"
    "<p><strong>可信来源</strong>：<a href='https://a.example/{n}'>甲公司公告</a></p>"
)
_PAGE = (
    "<html><body><article><h1>AI 前沿发展日报 | 2026-06-01</h1><p>日期：2026-06-01</p>"
    "<h2>今日三条结论</h2><ol><li>一。</li><li>二。</li><li>三。</li></ol>"
    "<h2>今日 Top 5 大事件</h2>{items}<h2>商业与应用解读</h2><p>解读。</p></article></body></html>"
)
TITLES = ("甲公司发布 Alpha-2 模型", "乙公司开放 3 家医院的数据")

# How CMS pages write an item heading; "{n}" is the item's number, "{t}" its title.
STYLES = {
    "h3 numbered": "<h3>{n}. {t}</h3>",
    "h2 numbered": "<h2>{n}. {t}</h2>",
    "h4 numbered": "<h4>{n}、{t}</h4>",
    "h3 unnumbered": "<h3>{t}</h3>",
    "li h3": "<ol><li><h3>{t}</h3>{item}</li></ol>",
    "ul li h3 numbered": "<ul><li><h3>{n}. {t}</h3>{item}</li></ul>",
    "span number": "<h3><span>{n}</span>{t}</h3>",
    "span number with dot": "<h3><span class='no'>{n}.</span> {t}</h3>",
    "strong inside": "<h3><strong>{n}. {t}</strong></h3>",
    "hash number": "<h3>#{n} {t}</h3>",
    "No. number": "<h3>No.{n} {t}</h3>",
    "full-width parens": "<h3>（{n}）{t}</h3>",
    "chinese ordinal": "<h3>{cn}、{t}</h3>",
}


def _page(style: str) -> str:
    items = []
    for n, title in enumerate(TITLES, start=1):
        item = _ITEM.format(n=n)
        heading = style.format(n=n, t=title, cn="一二"[n - 1], item=item)
        items.append(heading if "{item}" in style else heading + item)
    return _PAGE.format(items="".join(items))


@pytest.mark.parametrize("style", list(STYLES.values()), ids=list(STYLES))
def test_heading_titles_are_clean_whatever_the_numbering_style(style: str) -> None:
    issue = parse_issue(_page(style), filename="page.html")
    assert [e.title for e in issue.events] == list(TITLES)
    assert [e.rank for e in issue.events] == [1, 2]
    assert [e.sources[0].url for e in issue.events] == ["https://a.example/1", "https://a.example/2"]


@pytest.fixture(scope="module")
def page() -> Issue:
    path = fixture("cms_heading_items.html")
    return parse_issue(path.read_bytes(), filename=path.name)


def test_every_item_section_of_a_heading_page_has_clean_titles(page: Issue) -> None:
    titles = [i.title for i in (*page.events, *page.x_posts, *page.research)]
    assert titles == [
        "北辰智能发布端侧模型 Polar-3B",
        "青柠数据开放医疗问答评测集",
        "@edge_watcher：端侧模型的竞争点是内存占用",
        "@data_nurse：医疗评测需要医生参与",
        "TinyRoute：小模型的路由蒸馏",
        "MedBench-ZH：中文医疗问答评测",
    ]
    assert [len(page.events), len(page.x_posts), len(page.research)] == [2, 2, 2]
    assert all(i.sources for i in (*page.events, *page.x_posts, *page.research))


def test_a_deeper_heading_inside_an_item_is_text_not_a_new_item(page: Issue) -> None:
    what = page.events[1].what_happened
    assert "此前行业缺少公开的中文医疗评测" in what
    assert "背景此前" not in what  # the sub-heading stays apart from its paragraph
    assert page.events[1].key_facts.startswith("评测集含")
    # A heading inside 今日总览 is not an item either.
    assert any("编者按" in p for p in page.overview)


@pytest.mark.parametrize("channel", ["telegram", "slack", "email"])
def test_digests_show_numbered_titles_without_heading_markers(page: Issue, channel: str) -> None:
    text = "\n".join(str(p) for p in Renderer().render(page, channel, Variant.FULL))
    assert not re.search(r"\d\. *#", text)  # "<b>1. ### …", "### 1. ### …"
    for event in page.events:
        assert f"{event.rank}. {event.title}" in text


def test_numbered_line_holding_a_markdown_heading_loses_the_marker() -> None:
    markdown = (
        "# AI 前沿发展日报 | 2026-06-01\n\n日期：2026-06-01\n\n## 今日三条结论\n\n1. 一。\n\n"
        "## 今日 Top 5 大事件\n\n1. ### 甲公司发布 Alpha-2 模型\n\n发生了什么：甲。\n\n"
        "2. ### 乙公司开放数据\n\n发生了什么：乙。\n"
    )
    issue = parse_issue(markdown, filename="issue.md")
    assert [e.title for e in issue.events] == ["甲公司发布 Alpha-2 模型", "乙公司开放数据"]
