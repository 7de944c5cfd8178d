"""Property tests: the parser never crashes and normalization is a fixed point."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestbot.model import Issue
from digestbot.parsing import NotAnIssueError, normalize, parse_issue

FILENAMES = st.sampled_from([None, "x.txt", "x.md", "x.html"])

# Characters that stress the grammar: CJK, full-width and odd whitespace, zero-width and ZWJ,
# emoji, markup and MarkdownV2 specials, colons and brackets that labels and sources use.
HOSTILE_ALPHABET = st.sampled_from(
    [
        *"今日总览结论事件来源发生了什么为什么重要。，：:（）()[]<>|*_~`#+-=.!{}\\&\"' \t\n\r",
        *["\u00a0", "\u3000", "\u200b", "\u200d", "\ufeff", "👩\u200d💻", "é", "e\u0301"],
        *["https://", "www.", ".example/", "2026 - 04 - 16", "GPT - 5", " - ", "1. ", "\n\n"],
    ]
)
HOSTILE_TEXT = st.lists(
    st.one_of(HOSTILE_ALPHABET, st.text(max_size=8)), max_size=30
).map("".join)
LINE = HOSTILE_TEXT.map(lambda s: s.replace("\n", " ").replace("\r", " "))

HEADINGS = {
    "overview": st.sampled_from(["今日总览", "## 今日总览", "**今日总览**", "今日总览："]),
    "conclusions": st.sampled_from(["今日三条结论", "今日 三条 结论", "# 今日三条结论"]),
    "events": st.sampled_from(["今日 Top 5 大事件", "今日 Top5 大事件", "今日Top 5大事件"]),
    "analysis": st.sampled_from(["商业与应用解读", "商业与应用解读："]),
    "x_posts": st.sampled_from(["X 平台高信号观点", "X平台高信号观点"]),
    "research": st.sampled_from(["前沿研究速递", "**前沿研究速递**"]),
}
LABELS = {
    "events": ["发生了什么", "关键信息", "为什么重要", "对产业 / 企业的启发", "可信来源"],
    "x_posts": ["类型", "验证状态", "一句话判断", "来源"],
    "research": ["做了什么", "新在哪里", "潜在应用方向", "一句话判断", "来源"],
}
SOURCE = st.one_of(
    st.builds(
        lambda n, p: f"{n} (<https://s.example/{p}>)", LINE, st.text("abc/()&人", max_size=8)
    ),
    st.builds(lambda n, p: f"[{n}](https://s.example/{p})", st.text("abc 名", max_size=6),
              st.text("abc", max_size=5)),
    st.builds(lambda n: f"{n}（https://s.example/x）", LINE),
)


@st.composite
def issue_like(draw: st.DrawFn) -> str:
    """An issue assembled from sections in random order, with hostile text everywhere."""
    parts = [f"AI 前沿发展日报 | {draw(st.sampled_from(['2026 - 04 - 16', '2026-04-08']))}"]
    if draw(st.booleans()):
        parts.append(f"日期：{draw(st.sampled_from(['2026 - 04 - 16', '2026-13-45', '']))}")
    if draw(st.booleans()):
        parts.append(f"覆盖窗口：{draw(LINE)}")
    sections = draw(st.lists(st.sampled_from(list(HEADINGS)), min_size=1, max_size=6, unique=True))
    for section in sections:
        parts.append(draw(HEADINGS[section]))
        if section in ("overview", "analysis"):
            parts.extend(draw(st.lists(HOSTILE_TEXT, max_size=3)))
        elif section == "conclusions":
            count = draw(st.integers(0, 5))
            parts.append("\n".join(f"{i}. {draw(LINE)}" for i in range(1, count + 1)))
        else:
            for rank in range(1, draw(st.integers(0, 3)) + 1):
                parts.append(f"{rank}. {draw(LINE)}")
                for label in LABELS[section]:
                    if draw(st.integers(0, 5)) == 0:
                        continue  # a missing field
                    if label in ("可信来源", "来源"):
                        value = " | ".join(draw(st.lists(SOURCE, min_size=1, max_size=3)))
                    else:
                        value = draw(HOSTILE_TEXT)
                    parts.append(f"{label}：{value}")
    separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n"]))
    return separator.join(parts)


def _parse_or_none(data: bytes | str, filename: str | None = None) -> Issue | None:
    try:
        return parse_issue(data, filename=filename)
    except NotAnIssueError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.text(), FILENAMES)
def test_arbitrary_text_never_raises_anything_but_not_an_issue(
    text: str, filename: str | None
) -> None:
    _parse_or_none(text, filename)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), FILENAMES)
def test_arbitrary_bytes_never_raise_anything_but_not_an_issue(
    data: bytes, filename: str | None
) -> None:
    _parse_or_none(data, filename)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue_like(), FILENAMES)
def test_issue_like_text_parses_or_is_refused_cleanly(text: str, filename: str | None) -> None:
    issue = _parse_or_none(text, filename)
    if issue is not None:
        assert all(w.startswith("line ") for w in issue.warnings)
        for item in (*issue.events, *issue.x_posts, *issue.research):
            # A URL has a scheme; a source without one keeps its name and url "".
            for s in item.sources:
                assert s.url.startswith(("https://", "http://")) or (s.url == "" and s.name)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), HOSTILE_TEXT))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue_like())
def test_normalize_is_idempotent_on_issue_like_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(issue_like())
def test_parsing_normalized_text_gives_the_same_issue(text: str) -> None:
    direct = _parse_or_none(text, "x.txt")
    renormalized = _parse_or_none(normalize(text), "x.txt")
    assert direct == renormalized
    if direct is not None and renormalized is not None:
        assert len(direct.warnings) == len(renormalized.warnings)
