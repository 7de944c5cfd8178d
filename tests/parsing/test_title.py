"""The title is the title line without its date segment: a special issue's name survives."""

from __future__ import annotations

import datetime as dt

import pytest

from digestbot.model import Variant
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer

_BODY = (
    "\n\n日期：2026-05-01\n\n今日三条结论\n\n1. 一。\n\n"
    "今日 Top 5 大事件\n\n1. 甲\n\n发生了什么：甲。\n"
)
DAILY = "AI 前沿发展日报"


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (f"{DAILY} | 2026-05-01 (Asia/Shanghai) | 劳动节特刊", f"{DAILY} | 劳动节特刊"),
        ("AI 前沿发展日报｜2026-05-01｜劳动节特刊", "AI 前沿发展日报｜劳动节特刊"),
        (f"{DAILY} | 2026 - 05 - 01 (Asia) | 劳动节特刊 | 下篇", f"{DAILY} | 劳动节特刊 | 下篇"),
        ("AI 前沿发展日报 | 2026-05-01 劳动节特刊", "AI 前沿发展日报 | 劳动节特刊"),
        ("AI 前沿发展日报 | 2026年5月1日 (Asia/Shanghai)", "AI 前沿发展日报"),
        ("AI 前沿发展日报 | 2026-05-01", "AI 前沿发展日报"),
        ("劳动节特刊 | AI 前沿发展日报 | 2026-05-01", "劳动节特刊 | AI 前沿发展日报"),
        ("AI 前沿发展日报 2026-05-01", "AI 前沿发展日报 2026-05-01"),  # no segment to drop
        ("AI 前沿发展日报 | GPT-5 发布 100 天 | 2026-05-01", "AI 前沿发展日报 | GPT-5 发布 100 天"),
    ],
    ids=["special", "full-width", "spaced", "name-after-date", "cn-date", "plain", "name-first",
         "no-separator", "pipe-in-title"],
)
def test_title_keeps_every_segment_but_the_date(line: str, title: str) -> None:
    issue = parse_issue(line + _BODY, filename="issue.txt")
    assert issue.title == title
    assert issue.date == dt.date(2026, 5, 1)
    assert not any("title" in w for w in issue.warnings)


@pytest.mark.parametrize("channel", ["telegram", "slack", "email"])
def test_digests_show_the_special_issue_name(channel: str) -> None:
    issue = parse_issue("AI 前沿发展日报 | 2026-05-01 (Asia/Shanghai) | 劳动节特刊" + _BODY)
    text = "\n".join(str(p) for p in Renderer().render(issue, channel, Variant.TOP3))
    assert "劳动节特刊" in text
