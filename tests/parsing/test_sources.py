"""Every source style the editors use becomes Source(name, url) with an https scheme."""

from __future__ import annotations

import pytest

from digestbot.model import Source
from digestbot.parsing import parse_sources


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A (<https://a.example/x>) | B (<https://b.example/y>)",
            [("A", "https://a.example/x"), ("B", "https://b.example/y")],
        ),
        ("微软公告（<https://a.example/x>）", [("微软公告", "https://a.example/x")]),
        ("官方 PDF（https://a.example/x.pdf）", [("官方 PDF", "https://a.example/x.pdf")]),
        ("[标题](https://a.example/x)", [("标题", "https://a.example/x")]),
        ("https://a.example/x", [("a.example", "https://a.example/x")]),
        ("<https://a.example/x>", [("a.example", "https://a.example/x")]),
        ("Name <a.example/x>", [("Name", "https://a.example/x")]),
        ("Name a.example/path", [("Name", "https://a.example/path")]),
        ("Name (www.a.example)", [("Name", "https://www.a.example")]),
        # Link text above its URL, the link text itself being a display URL.
        (
            "OpenAI | Title\n[a.example/short-](https://a.example/full)",
            [("OpenAI | Title", "https://a.example/full")],
        ),
        (
            "arXiv | Paper\n(<https://arxiv.example/abs/1>)",
            [("arXiv | Paper", "https://arxiv.example/abs/1")],
        ),
        ("Name | Title (<https://a.example/x>)", [("Name | Title", "https://a.example/x")]),
        ("N (<https://a.example/x>) (4596854)", [("N", "https://a.example/x")]),
        (
            "W (<https://w.example/wiki/人工智能_(学科)?a=1&b=2>)",
            [("W", "https://w.example/wiki/人工智能_(学科)?a=1&b=2")],
        ),
        ("W https://w.example/a_(b)_c,", [("W", "https://w.example/a_(b)_c")]),
        (
            "Reuters：invest \\$10 billion（<https://r.example/a>）",
            [("Reuters：invest $10 billion", "https://r.example/a")],
        ),
        (
            "Reuters via Investing.com | Chipmaker expands in Japan (<https://i.example/n>)",
            [("Reuters via Investing.com | Chipmaker expands in Japan", "https://i.example/n")],
        ),
        ("[c](//cdn.example/x)", [("c", "https://cdn.example/x")]),
        ("HTTP (<http://old.example/x>)", [("HTTP", "http://old.example/x")]),
    ],
)
def test_source_styles(text: str, expected: list[tuple[str, str]]) -> None:
    sources, problems = parse_sources(text)
    assert sources == tuple(Source(name, url) for name, url in expected)
    assert problems == []


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        ("[t](<https://a.example/x y>)", ("t", "https://a.example/x%20y"), "URL contains spaces"),
        ("[t](https://a.example/x y)", ("t", "https://a.example/x%20y"), "URL contains spaces"),
        ("T (<https://a.example/x y>)", ("T", "https://a.example/x%20y"), "URL contains spaces"),
        ("Cut（<https://a.example/x-", ("Cut", "https://a.example/x-"), "never closes"),
        ("Cut (https://a.example/x-", ("Cut", "https://a.example/x-"), "never closes"),
    ],
)
def test_suspicious_url_is_kept_and_reported(
    text: str, expected: tuple[str, str], problem: str
) -> None:
    sources, problems = parse_sources(text)
    assert sources == (Source(*expected),)
    assert len(problems) == 1 and problem in problems[0]


def test_link_title_and_a_closed_bracket_are_not_reported() -> None:
    for text in ('[t](https://a.example/x "A title")', "(<https://a.example/x)", "<https://a.example>"):
        sources, problems = parse_sources(text)
        assert len(sources) == 1 and "x y" not in sources[0].url
        assert problems == [], text


@pytest.mark.parametrize(
    ("text", "expected", "problem"),
    [
        ("只有名字", [("只有名字", "")], "source without a URL: 只有名字"),
        ("[x](javascript:alert(1))", [], "unsupported scheme"),
        (
            "A (<https://a.example>) | 尾巴",
            [("A", "https://a.example"), ("尾巴", "")],
            "source without a URL: 尾巴",
        ),
    ],
)
def test_unusable_source_text_is_reported_not_invented(
    text: str, expected: list[tuple[str, str]], problem: str
) -> None:
    sources, problems = parse_sources(text)
    assert sources == tuple(Source(name, url) for name, url in expected)
    assert any(problem in p for p in problems)


def test_malformed_url_without_a_name_falls_back_to_the_url() -> None:
    sources, _ = parse_sources("https://[")
    assert sources == (Source("https://[", "https://["),)
