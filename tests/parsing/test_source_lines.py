"""Several sources on one line, only some with a URL: each keeps its own URL, never another's."""

from __future__ import annotations

import pytest

from digestbot.model import Source
from digestbot.parsing import parse_issue, parse_sources

U1, U2, U3 = "https://a.example/1", "https://b.example/2", "https://c.example/3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"某公司投资者电话会纪要 | 某行业周刊 (<{U1}>)",
            [("某公司投资者电话会纪要", ""), ("某行业周刊", U1)],
            id="first-without-url",
        ),
        pytest.param(
            f"甲公司公告 (<{U1}>) | 乙研究院内部简报 | 丙周刊 (<{U2}>)",
            [("甲公司公告", U1), ("乙研究院内部简报", ""), ("丙周刊", U2)],
            id="middle-without-url",
        ),
        pytest.param(
            f"甲公司公告 (<{U1}>) | 乙研究院内部简报",
            [("甲公司公告", U1), ("乙研究院内部简报", "")],
            id="last-without-url",
        ),
        pytest.param(
            f"投资者电话会纪要｜[行业周刊]({U1})",
            [("投资者电话会纪要", ""), ("行业周刊", U1)],
            id="full-width-pipe-markdown-link",
        ),
        pytest.param(
            f"投资者电话会纪要\n行业周刊（{U1}）",
            [("投资者电话会纪要", ""), ("行业周刊", U1)],
            id="name-on-the-line-above-another-source",
        ),
        pytest.param(
            f"电话会纪要；行业周刊 <{U1}>",
            [("电话会纪要", ""), ("行业周刊", U1)],
            id="semicolon",
        ),
        pytest.param(
            f"内部纪要 | Reuters | Chipmaker expands capacity (<{U1}>)",
            [("内部纪要", ""), ("Reuters | Chipmaker expands capacity", U1)],
            id="orphan-before-publisher-and-title",
        ),
        # The report's own "Publisher | Title" style stays one name.
        pytest.param(
            f"Axios | Startup raises a round (<{U1}>) | Reuters | Another story here (<{U2}>)",
            [("Axios | Startup raises a round", U1), ("Reuters | Another story here", U2)],
            id="publisher-and-title",
        ),
        pytest.param(
            f"彭博社 | 某芯片公司发布新一代产品 (<{U1}>)",
            [("彭博社 | 某芯片公司发布新一代产品", U1)],
            id="cjk-publisher-and-title",
        ),
        pytest.param(
            f"甲公司公告 (<{U1}>) | 乙公司公告 (<{U2}>) | 丙公司公告 (<{U3}>)",
            [("甲公司公告", U1), ("乙公司公告", U2), ("丙公司公告", U3)],
            id="all-with-urls",
        ),
    ],
)
def test_each_source_keeps_its_own_url(text: str, expected: list[tuple[str, str]]) -> None:
    sources, problems = parse_sources(text)
    assert sources == tuple(Source(name, url) for name, url in expected)
    orphans = [name for name, url in expected if not url]
    assert problems == [f"source without a URL: {name}" for name in orphans]


def test_issue_keeps_a_source_without_url_and_warns_on_its_line() -> None:
    text = (
        "AI 前沿发展日报 | 2026-06-01\n\n日期：2026-06-01\n\n今日三条结论\n\n1. 一。\n\n"
        "今日 Top 5 大事件\n\n1. 甲公司发布新品\n\n发生了什么：甲。\n\n"
        f"可信来源：甲公司官网 (<{U1}>)\n投资者电话会纪要 | 行业周刊 (<{U2}>)\n"
    )
    issue = parse_issue(text, filename="issue.txt")
    assert issue.events[0].sources == (
        Source("甲公司官网", U1),
        Source("投资者电话会纪要", ""),
        Source("行业周刊", U2),
    )
    assert "line 16: event 1: source without a URL: 投资者电话会纪要" in issue.warnings
    assert issue.to_contract()["events"][0]["sources"][1] == {"name": "投资者电话会纪要", "url": ""}


def test_names_on_their_own_lines_in_a_source_list_are_never_joined() -> None:
    # Normalization re-joins sentences broken across lines, but not the lines of a source list.
    text = (
        "AI 前沿发展日报 | 2026-06-01\n\n日期：2026-06-01\n\n今日三条结论\n\n1. 一。\n\n"
        "今日 Top 5 大事件\n\n1. 甲公司发布新品\n\n发生了什么：甲。\n\n"
        f"可信来源：投资者电话会纪要\n行业周刊（{U1}）\n某机构研报\n\n"
        "2. 乙\n\n发生了什么：乙\n没有句号的下一行"
    )
    issue = parse_issue(text, filename="issue.txt")
    assert issue.events[0].sources == (
        Source("投资者电话会纪要", ""),
        Source("行业周刊", U1),
        Source("某机构研报", ""),
    )
    assert issue.events[1].what_happened == "乙没有句号的下一行"  # prose still re-joins
