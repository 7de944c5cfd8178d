"""Sources that parse but look wrong are warned about, each on its own line and of its kind."""

from __future__ import annotations

import pytest

from digestbot.parsing import WarningKind, read_issue
from tests.parsing._support import fixture

K = WarningKind


def test_every_kind_of_suspicious_source_is_reported_on_its_line() -> None:
    path = fixture("suspicious_sources.txt")
    parsed = read_issue(path.read_bytes(), filename=path.name)
    found = [(w.line, w.kind) for w in parsed.warnings if w.kind is not K.COUNT]
    assert found == [
        (29, K.HOST_WITHOUT_DOT),
        (29, K.PLAIN_HTTP),
        (41, K.URL_SPACES),
        (42, K.NAME_FRAGMENT),
        (58, K.HOST_WITHOUT_DOT),  # the same dot-less URL, cited again: its own line
        (72, K.DUPLICATE_URL),  # twice in one item
        (84, K.CUT_OFF),
        (84, K.DUPLICATE_URL),  # one URL under two papers' names
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    for warning in parsed.warnings:
        if warning.kind is not K.COUNT:
            assert warning.message.rsplit(": ", 1)[-1][:20] in lines[warning.line - 1]


_ISSUE = (
    "AI 前沿发展日报 | 2026-06-15\n\n日期：2026-06-15\n\n覆盖窗口：一周\n\n"
    "今日三条结论\n\n1. 一。\n\n"
    "今日 Top 5 大事件\n\n1. 甲\n\n发生了什么：甲。\n\n可信来源：{one}\n\n"
    "2. 乙\n\n发生了什么：乙。\n\n可信来源：{two}\n"
)
GOOD = "甲公司公告 (<https://a.example/news/1>)"


@pytest.mark.parametrize(
    ("one", "two", "kinds"),
    [
        ("甲 (<https://intranet/news/1>)", GOOD, [K.HOST_WITHOUT_DOT]),
        ("甲 (<https://localhost/x>)", GOOD, [K.HOST_WITHOUT_DOT]),
        ("甲 [官网](https://a.example/a b/c)", GOOD, [K.URL_SPACES]),
        ("甲 (<http://a.example/x>)", GOOD, [K.PLAIN_HTTP]),
        ("gle | Gemma 4 (<https://blog.example/gemma-4>)", GOOD, [K.NAME_FRAGMENT]),
        ("甲公司公告 (<https://a.example/news/1>)", "乙公司公告 (<https://a.example/news/1/>)",
         [K.DUPLICATE_URL]),
        (GOOD + " | 甲公司 (<https://a.example/news/1#top>)", GOOD, [K.DUPLICATE_URL]),
        ("甲 (<https://a.example/x-", GOOD, [K.CUT_OFF]),
        # Not findings: one source cited by two items under its name (with or without its
        # publisher); lower-case brands;
        # a name that is only a host; a URL with a port.
        (GOOD, GOOD, []),
        ("甲公司 | 新品说明 (<https://a.example/n>)", "新品说明 (<https://a.example/n>)", []),
        ("arXiv | Paper (<https://arxiv.example/abs/1>)", GOOD, []),
        ("npm | left-pad (<https://npm.example/left-pad>)", GOOD, []),
        ("<https://a.example/only-url>", GOOD, []),
        ("甲 (<https://a.example:8443/x>)", GOOD, []),
        ("Google | Gemma 4 (<https://blog.example/gemma-4>)", GOOD, []),
    ],
    ids=["dotless", "localhost", "spaces", "http", "fragment", "same-url-other-name",
         "twice-in-one-item", "cut-off", "same-source-twice", "publisher-left-out", "arxiv",
         "npm", "host-name", "port", "whole-name"],
)
def test_each_suspicious_kind_alone(one: str, two: str, kinds: list[WarningKind]) -> None:
    parsed = read_issue(_ISSUE.format(one=one, two=two), filename="issue.txt")
    found = [w.kind for w in parsed.warnings if w.kind not in (K.COUNT, K.MISSING)]
    assert found == kinds, parsed.issue.warnings
