"""normalize(): one meaning of "the same text" (DESIGN.md)."""

from __future__ import annotations

import pytest

from digestbot.parsing import normalize
from digestbot.parsing.vocabulary import match_section


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffa。\r\nb。\rc", "a。\nb。\nc"),
        ("今日总览\r\nline one\r\nline two", "今日总览\nline one line two"),
        ("日期：2026 - 04 - 16 (Asia)", "日期：2026-04-16 (Asia)"),
        ("上线 GPT - 5.4 - Cyber。", "上线 GPT-5.4-Cyber。"),
        ("Habitat - GS : 把", "Habitat-GS : 把"),
        ("Audio - Omni and Multi - modal.", "Audio-Omni and Multi-modal."),
        ("A High - Fidelity Navigation.", "A High-Fidelity Navigation."),
        ("未来 12 - 24 个月。", "未来 12-24 个月。"),
        # Dashes in English prose are not names.
        ("Apple - the company - wins.", "Apple - the company - wins."),
        ("the model - trained on web data.", "the model - trained on web data."),
        ("OpenAI - 估值上升。", "OpenAI - 估值上升。"),
        # Stray whitespace at line edges, incl. NBSP, full-width and zero-width spaces.
        ("\u200b\u3000标题\u00a0\u3000\u200b", "标题"),
        ("a\u00a0\u00a0b  c\td", "a b c d"),
        # A ZWJ inside an emoji sequence stays, even at the end of a line.
        ("她 👩\u200d💻", "她 👩\u200d💻"),
        ("\u200d开头", "开头"),
        # NFC: a decomposed é becomes one code point.
        ("cafe\u0301。", "caf\u00e9。"),
        # Paragraphs broken mid-sentence: no space between CJK, one between Latin words.
        (
            "今日总览\n\n第三类是基础设施，随\n\n着大客户更重视。",
            "今日总览\n\n第三类是基础设施，随着大客户更重视。",
        ),
        ("今日总览\n\nthe frontier\n\nmodel is here.", "今日总览\n\nthe frontier model is here."),
        (
            "今日总览\n\n对云厂商来说，2026-04-20\n\n之后的一周。",
            "今日总览\n\n对云厂商来说，2026-04-20 之后的一周。",
        ),
        # …but a finished sentence, a heading or a numbered item is never joined.
        ("今日总览\n\n句子结束。\n\n下一段。", "今日总览\n\n句子结束。\n\n下一段。"),
        ("今日总览\n\n没有句号\n\n今日三条结论", "今日总览\n\n没有句号\n\n今日三条结论"),
        ("1. 标题没有句号\n\n发生了什么：正文。", "1. 标题没有句号\n\n发生了什么：正文。"),
        (
            "来源：arXiv | Title\n(<https://a.example/x>)",
            "来源：arXiv | Title\n(<https://a.example/x>)",
        ),
        # 日期 and a wrapped 覆盖窗口 sharing a line (seed 002).
        (
            "标题 | 2026-04-08\n\n日期：2026-04-08 覆盖窗口：核查 04-01 至 2026-04-08\n期间新增",
            "标题 | 2026-04-08\n\n日期：2026-04-08 覆盖窗口：核查 04-01 至 2026-04-08 期间新增",
        ),
        ("\n\n\na\n\n\n\nb。\n\n\n", "a\n\nb。"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


def test_title_line_never_absorbs_the_next_paragraph() -> None:
    assert normalize("AI 前沿发展日报\n\n导语没有句号\n\n今日总览") == (
        "AI 前沿发展日报\n\n导语没有句号\n\n今日总览"
    )


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("今日 Top 5 大事件", "events"),
        ("今日 Top5 大事件", "events"),
        ("## 今日Top 5大事件：", "events"),
        ("Top 5", "events"),
        ("**今日总览**", "overview"),
        ("今日总览:", "overview"),
        ("一、今日总览", "overview"),
        ("今日 三条 结论", "conclusions"),
        ("### X平台高信号观点：", "x_posts"),
        ("商业与应用解读", "analysis"),
        ("前沿研究速递", "research"),
        ("今日重点", None),
        ("Top 5 people say this is a very long line of prose", None),
    ],
)
def test_section_headings_tolerate_spacing_marks_and_colons(
    heading: str, section: str | None
) -> None:
    found = match_section(heading)
    assert (found.value if found else None) == section
