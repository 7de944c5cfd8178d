"""Incomplete issues keep what they have and warn; hostile text survives verbatim."""

from __future__ import annotations

import datetime as dt

import pytest

from digestbot.model import Issue
from digestbot.parsing import NotAnIssueError, parse_issue
from tests.parsing._support import fixture


def _load(name: str) -> Issue:
    path = fixture(name)
    return parse_issue(path.read_bytes(), filename=path.name)


def test_partial_issue_keeps_its_content_and_warns_with_line_numbers() -> None:
    issue = _load("partial.txt")
    assert issue.date == dt.date(2026, 5, 18)
    assert len(issue.conclusions) == 2
    assert len(issue.events) == 2
    assert issue.events[1].why_it_matters == ""
    assert issue.events[1].implications.startswith("教育场景")
    assert issue.x_posts == ()
    assert len(issue.research) == 1
    assert issue.warnings == (
        "line 11: 今日三条结论 promises 3 items but has 2",
        "line 16: 今日 Top 5 大事件 promises 5 items but has 2",
        "line 30: event 2 has no 为什么重要",
        "line 44: no X 平台高信号观点 section (x_posts is empty)",
    )


def test_counts_are_whatever_the_issue_holds() -> None:
    issue = _load("four_conclusions_six_events.txt")
    assert len(issue.conclusions) == 4
    assert len(issue.events) == 6
    assert [e.rank for e in issue.events] == [1, 2, 3, 4, 5, 6]
    assert issue.events[5].sources[0].url == "https://yunqi-city.example/news/6"
    assert all(e.why_it_matters for e in issue.events)
    assert issue.warnings == (
        "line 11: 今日三条结论 promises 3 items but has 4",
        "line 18: 今日 Top 5 大事件 promises 5 items but has 6",
    )


@pytest.fixture(scope="module")
def hostile() -> Issue:
    return _load("hostile.txt")


def test_hostile_title_with_pipes_keeps_everything_before_the_date(hostile: Issue) -> None:
    assert hostile.title == "AI 前沿发展日报 | 特别版 <b>&amp; | 测试"
    assert hostile.date == dt.date(2026, 6, 1)


def test_hostile_markup_and_markdown_v2_characters_are_kept_verbatim(hostile: Issue) -> None:
    assert hostile.overview[0] == (
        'HTML 片段 <script>alert("x")</script> 与 <b>粗体</b>、&amp; 实体、A & B、"双引号" 和 '
        "'single' 都是数据，必须原样保留。"
    )
    assert "_*[]()~`>#+-=|{}.!" in hostile.overview[1]
    assert "C:\\path\\to\\file" in hostile.overview[1]
    assert hostile.conclusions[1] == "星号 *不是* 强调，下划线 _也不是_ 斜体。"
    assert hostile.events[0].title == "<script>document.cookie</script> 标题里的脚本也只是文字"
    assert hostile.events[0].key_facts == "价格从 $10 降到 $5，降幅 50%！"
    assert hostile.analysis[0].startswith('解读段落里也有 <a href="https://evil.example">')
    assert "_*[]()~`>#+-=|{}.!" in hostile.research[0].what


def test_hostile_emoji_zwj_sequences_survive(hostile: Issue) -> None:
    assert "👩\u200d💻 👨\u200d👩\u200d👧 🏳️\u200d🌈" in hostile.overview[2]
    assert hostile.conclusions[2].endswith("👩\u200d💻")
    assert hostile.x_posts[0].title.startswith("@hostile_user：👩\u200d💻 <b>")


def test_hostile_long_paragraph_is_one_paragraph(hostile: Issue) -> None:
    assert len(hostile.overview) == 4
    assert len(hostile.overview[3]) >= 6000


def test_hostile_urls_with_parentheses_ampersands_and_cjk_stay_whole(hostile: Issue) -> None:
    first = hostile.events[0].sources
    assert [(s.name, s.url) for s in first] == [
        ("维基百科 | 人工智能（学科）", "https://zh.wikipedia.example/wiki/人工智能_(学科)?q=a&b=c"),
        ("Q&A 周刊 第 3 期", "https://qa-weekly.example/issues/3?from=daily&tag=ai"),
    ]
    bare = hostile.events[1].sources[0]
    assert bare.url == "https://example.org/path_(with)_parens?x=1&y=2"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"   \n\r\n\t  ", id="whitespace"),
        pytest.param("", id="empty-str"),
        pytest.param(bytes(range(256)) * 8, id="all-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", id="png-header"),
        pytest.param(b"\xff\xfe\x00\xd8", id="broken-utf16"),
        pytest.param(b"\x80\x81\xff\xfe\xfd" * 50, id="undecodable"),
        pytest.param("just a note about lunch\n\nnothing else", id="unrelated-text"),
    ],
)
def test_not_an_issue_raises_not_an_issue_error(data: bytes | str) -> None:
    with pytest.raises(NotAnIssueError):
        parse_issue(data)


def test_unrelated_html_page_is_not_an_issue() -> None:
    path = fixture("unrelated_page.html")
    with pytest.raises(NotAnIssueError, match="no section"):
        parse_issue(path.read_bytes(), filename=path.name)


def test_not_an_issue_error_is_a_value_error() -> None:
    assert issubclass(NotAnIssueError, ValueError)
