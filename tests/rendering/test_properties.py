"""Generated issues full of hostile text: every payload stays valid and nothing is lost.

"Nothing lost" for Telegram, precisely: let U be the visible text (tags dropped, entities
decoded) of the unsplit render, i.e. all blocks joined by a blank line, and P1..Pn the visible
texts of the sent parts with their "(k/n)" line removed. Then U = W0 P1 W1 P2 … Pn Wn where
every Wi is whitespace only (possibly empty): the parts are U in order, cut only where
whitespace could be dropped (Telegram trims each message anyway).
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestbot.model import Channel, Event, Issue, Paper, Source, Variant, XPost
from digestbot.rendering import Renderer, strip_part_number, telegram_visible_text
from digestbot.rendering.environment import make_environment
from digestbot.rendering.packing import pack_telegram
from digestbot.rendering.telegram import BLOCK_SEPARATOR, telegram_blocks
from tests.rendering.validators import validate, validate_telegram

FRAGMENTS = [
    "<b>",
    "</a>",
    '<a href="x">',
    "<script>",
    "&",
    "&amp;",
    "&lt;",
    "&#",
    '"',
    "'",
    "_*[]()~`>#+-=|{}.!",
    "\\",
    "|",
    ">",
    "<",
    "*bold*",
    "<https://e.org|x>",
    "👨‍👩‍👧‍👦",
    "👍🏽",
    "🇨🇳",
    "𝔘𝔫𝔦",
    "e\u0301",
    "\u200d",
    "\ufe0f",
    "。",
    "！",
    "？",
    "；",
    ". ",
    "! ",
    "? ",
    "\n",
    "\n\n",
    " ",
    "中文字符",
    "word",
    "https://example.com/a?b=1&c=<2>|x",
    "\x1e",
    "\x00",
]

fragment = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8))
short_text = st.lists(fragment, max_size=12).map("".join)


@st.composite
def long_text(draw: st.DrawFn) -> str:
    """A paragraph long enough to force splitting: with or without sentence punctuation."""
    unit = draw(st.lists(fragment, min_size=1, max_size=6).map("".join))
    filler = draw(st.sampled_from(["字", "a", "词语。", "Word. ", "x y ", "😀", "👨‍👩‍👧"]))
    return unit + filler * draw(st.integers(200, 1500)) + unit


text = st.one_of(short_text, short_text, long_text())
url = st.one_of(
    st.just("https://example.com/path?a=1&b=2"),
    st.builds(lambda n: "https://example.com/" + "x" * n, st.integers(10, 5000)),
    short_text,
)
sources = st.lists(st.builds(Source, short_text, url), max_size=4).map(tuple)


def _issues() -> st.SearchStrategy[Issue]:
    event = st.builds(Event, st.integers(1, 99), short_text, text, text, text, text, sources)
    post = st.builds(XPost, st.integers(1, 9), short_text, short_text, short_text, text, sources)
    paper = st.builds(Paper, st.integers(1, 9), short_text, text, text, text, text, sources)
    return st.builds(
        Issue,
        date=st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
        title=short_text,
        coverage=short_text,
        overview=st.lists(text, max_size=3).map(tuple),
        conclusions=st.lists(text, min_size=1, max_size=4).map(tuple),
        events=st.lists(event, max_size=6).map(tuple),
        analysis=st.lists(text, max_size=2).map(tuple),
        x_posts=st.lists(post, max_size=3).map(tuple),
        research=st.lists(paper, max_size=3).map(tuple),
    )


RENDERER = Renderer()
TELEGRAM_ENV = make_environment("telegram")
PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# An issue of realistic size (the seeds hold ~15,000 characters) must fit the 100 KB email
# budget; generated ones can hold far more text than any issue, so the budget scales for them.
REALISTIC_CHARS = 30_000


def _text_size(issue: Issue) -> int:
    return len(repr(issue))


def assert_parts_cover(unsplit: str, parts: list[str]) -> None:
    """U = W0 P1 W1 … Pn Wn with every Wi whitespace (see the module docstring)."""
    pattern = r"\s*" + r"\s*".join(re.escape(p) for p in parts) + r"\s*"
    assert re.fullmatch(pattern, unsplit, flags=re.DOTALL), "visible text changed by splitting"


@PROPERTY_SETTINGS
@given(issue=_issues())
def test_every_payload_of_a_hostile_issue_passes_its_validator(issue: Issue) -> None:
    budget = 100_000 if _text_size(issue) < REALISTIC_CHARS else None
    for channel in Channel:
        for variant in Variant:
            for payload in RENDERER.render(issue, channel, variant):
                validate(payload, email_max_bytes=budget)


@PROPERTY_SETTINGS
@given(issue=_issues(), variant=st.sampled_from(list(Variant)))
def test_telegram_parts_together_hold_exactly_the_unsplit_text(
    issue: Issue, variant: Variant
) -> None:
    unsplit = telegram_visible_text(
        BLOCK_SEPARATOR.join(telegram_blocks(TELEGRAM_ENV, issue, variant))
    )
    parts = [
        telegram_visible_text(strip_part_number(m.text)) for m in RENDERER.telegram(issue, variant)
    ]
    assert_parts_cover(unsplit, parts)


block = st.lists(
    st.one_of(
        fragment.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
        st.sampled_from(["<b>", "</b>", "<i>", "</i>"]),
        st.just('<a href="https://e.org/?a=1&amp;b=2">'),
    ),
    max_size=80,
).map(lambda xs: _balance("".join(xs)))


def _balance(html: str) -> str:
    """Turn random tag soup into well-nested HTML by dropping the tags that do not fit."""
    out: list[str] = []
    stack: list[str] = []
    for token in re.split(r"(<[^>]+>)", html):
        m = re.fullmatch(r"<(/?)(\w+)[^>]*>", token)
        if not m:
            out.append(token)
        elif not m.group(1):
            if m.group(2) not in stack:  # Telegram forbids nesting a tag in itself
                stack.append(m.group(2))
                out.append(token)
        elif stack and stack[-1] == m.group(2):
            stack.pop()
            out.append(token)
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(blocks=st.lists(block, min_size=1, max_size=6), limit=st.integers(20, 120))
def test_packing_random_html_at_tiny_limits_keeps_tags_valid_and_text_whole(
    blocks: list[str], limit: int
) -> None:
    parts = pack_telegram(blocks, limit=limit + 12, max_entities=5)
    for part in parts:
        if telegram_visible_text(part).strip():
            validate_telegram_relaxed(part, limit + 12)
    unsplit = telegram_visible_text("\n\n".join(b.strip() for b in blocks if b.strip()))
    assert_parts_cover(unsplit, [telegram_visible_text(strip_part_number(p)) for p in parts])


def validate_telegram_relaxed(text: str, limit: int) -> None:
    """The Telegram validator, with the small limit of this test instead of 4096."""
    from digestbot.payloads import TelegramMessage
    from digestbot.rendering import telegram_entity_count, telegram_length

    validate_telegram(TelegramMessage(text))
    assert telegram_length(text) <= limit
    assert telegram_entity_count(text) <= 5
