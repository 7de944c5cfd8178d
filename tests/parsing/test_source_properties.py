"""Property tests of source-line splitting: never crashes, URLs only go to their own names,
nothing is lost, and a name without a URL never merges into another source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.model import Source
from digestbot.parsing import parse_sources

CJK_CHARS = "甲乙丙丁公司周刊纪要研究院公告报告新闻稿官网投资者电话会"
CJK = st.text(st.sampled_from(CJK_CHARS), min_size=2, max_size=10)
LATIN_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"), min_size=1,
                     max_size=9)
LATIN = st.lists(LATIN_WORD, min_size=1, max_size=5).map(" ".join)
NAME = st.one_of(CJK, LATIN, st.tuples(CJK, LATIN).map(" ".join))
PIPES = (" | ", "｜", " |", "| ")
HARD = ("\n", "；", "; ")
STYLES = ("({u})", "(<{u}>)", "（{u}）", "（<{u}>）", "<{u}>", "{u}", "[{n}]({u})")


@dataclass(frozen=True)
class Written:
    name: str
    url: str  # "" when the source has none
    separator: str  # what comes before it ("" for the first)


@st.composite
def source_lines(draw: st.DrawFn, names: st.SearchStrategy[str] = NAME,
                 separators: tuple[str, ...] = PIPES + HARD) -> list[Written]:
    count = draw(st.integers(1, 5))
    written = []
    for index in range(count):
        has_url = draw(st.booleans())
        path = draw(st.text("abc/&_人", max_size=6)) + draw(st.sampled_from(["", "_(b)"]))
        url = f"https://s{index}.example/{path}" if has_url else ""  # brackets balanced
        separator = draw(st.sampled_from(separators)) if index else ""
        written.append(Written(draw(names), url, separator))
    return written


def _text(written: list[Written], styles: list[str]) -> str:
    parts = []
    for source, style in zip(written, styles, strict=True):
        if not source.url:
            parts.append(source.separator + source.name)
        elif style.startswith("["):
            parts.append(source.separator + style.format(n=source.name, u=source.url))
        else:
            parts.append(f"{source.separator}{source.name} {style.format(u=source.url)}")
    return "".join(parts)


def _styles(draw: st.DrawFn, count: int) -> list[str]:
    return [draw(st.sampled_from(STYLES)) for _ in range(count)]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_urls_go_only_to_their_own_names_and_nothing_is_lost(data: st.DataObject) -> None:
    written = data.draw(source_lines())
    text = _text(written, _styles(data.draw, len(written)))
    sources, problems = parse_sources(text)

    # Every URL exactly once, in the order written.
    assert [s.url for s in sources if s.url] == [w.url for w in written if w.url]
    by_url = {s.url: s.name for s in sources if s.url}
    kept_without_url = [s.name for s in sources if not s.url]
    for index, source in enumerate(written):
        before = written[index - 1] if index else None
        if source.url:
            name = by_url[source.url]
            # Its own name, or — the report's "Publisher | Title" style — the name without a
            # URL just before it, joined by a pipe. Never the name of another URL's source.
            assert name == " ".join(source.name.split()) or (
                before is not None
                and not before.url
                and source.separator.strip() in ("|", "｜")
                and name.endswith(" ".join(source.name.split()))
                and name.startswith(" ".join(before.name.split()))
            ), (text, sources)
    # Nothing lost or invented: split at the pipes of "Publisher | Title" joins, the names
    # read are the names written, in order.
    parts = [" ".join(p.split()) for s in sources for p in re.split("[|｜]", s.name)]
    assert parts == [" ".join(w.name.split()) for w in written], (text, sources)
    assert len(problems) == len(kept_without_url)


WIDE_CJK = st.text(st.sampled_from("甲乙丙丁公司周刊纪要研究院公告报告"), min_size=6, max_size=10)
SHORT_CJK = st.text(st.sampled_from("甲乙丙丁公司周刊"), min_size=2, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_name_without_url_never_merges_when_it_cannot_be_a_publisher(
    data: st.DataObject,
) -> None:
    # Line breaks and semicolons always separate; across a pipe, a CJK name wider than the
    # next one is a source of its own (the "某公司投资者电话会纪要 | 某行业周刊 (<url>)").
    written = data.draw(source_lines(names=st.one_of(WIDE_CJK, SHORT_CJK)))
    for index, source in enumerate(written[:-1]):
        nxt = written[index + 1]
        piped = nxt.separator.strip() in ("|", "｜")
        if not source.url and piped and len(source.name) <= len(nxt.name):
            written[index + 1] = Written(nxt.name, nxt.url, "\n")
    text = _text(written, _styles(data.draw, len(written)))
    sources, _ = parse_sources(text)
    assert sources == tuple(Source(w.name, w.url) for w in written), text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_sources_with_a_scheme_or_none_without_crashing(text: str) -> None:
    sources, problems = parse_sources(text)
    for source in sources:
        assert source.url.startswith(("https://", "http://")) or (source.url == "" and source.name)
    assert all(isinstance(p, str) and p for p in problems)
