"""Each channel escapes content the way its platform parses it, and links stay safe."""

from __future__ import annotations

import dataclasses
import json

import pytest

from digestbot.model import Source, Variant
from digestbot.rendering import Renderer
from digestbot.rendering.environment import linkable, mrkdwn_escape, slack_link, telegram_escape
from tests.rendering.builders import sample_issue

HOSTILE = "<b>x</b> & \"q\" 's' *y* _z_ [a](b) \x1e"


@pytest.mark.parametrize(
    ("escape", "expected"),
    [
        (telegram_escape, "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; 's' *y* _z_ [a](b) "),
        (mrkdwn_escape, "&lt;b&gt;x&lt;/b&gt; &amp; \"q\" 's' *y* _z_ [a](b) "),
    ],
)
def test_escape_filters_touch_only_what_the_platform_parses(escape: object, expected: str) -> None:
    assert callable(escape)
    assert escape(HOSTILE) == expected


@pytest.mark.parametrize(
    ("url", "label", "expected"),
    [
        ("https://e.org/a", "Plain", "<https://e.org/a|Plain>"),
        ("https://e.org/?a=1&b=2", "A | B", "<https://e.org/?a=1&amp;b=2|A ¦ B>"),
        ("https://e.org/x", "a > b", "<https://e.org/x|a &gt; b>"),
        ("https://e.org/p|q>r", "x", "<https://e.org/p%7Cq%3Er|x>"),
        ("javascript:alert(1)", "evil", "evil"),
        ("", "no url", "no url"),
    ],
)
def test_slack_links_survive_hostile_labels_and_urls(url: str, label: str, expected: str) -> None:
    assert slack_link(url, label) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://e.org", True),
        ("http://e.org/(a)", True),
        ("mailto:a@e.org", True),
        ("javascript:alert(1)", False),
        ("/relative", False),
        ("https://e.org/has space", False),
    ],
)
def test_only_absolute_web_links_become_links(url: str, ok: bool) -> None:
    assert linkable(url) is ok


def _hostile_issue() -> object:
    base = sample_issue()
    event = dataclasses.replace(
        base.events[0],
        title=HOSTILE,
        sources=(Source('He said "hi" <b>|', 'https://e.org/?q="x"&r=<y>'),),
    )
    return dataclasses.replace(base, title=HOSTILE, events=(event, *base.events[1:]))


def test_hostile_text_is_escaped_in_telegram_output() -> None:
    text = Renderer().telegram(_hostile_issue(), Variant.TOP5)[0].text  # type: ignore[arg-type]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot;" in text
    assert "\x1e" not in text
    assert '<a href="https://e.org/?q=&quot;x&quot;&amp;r=&lt;y&gt;">' in text


def test_hostile_text_cannot_break_slack_json() -> None:
    message = Renderer().slack(_hostile_issue(), Variant.TOP5)[0]  # type: ignore[arg-type]
    dumped = json.dumps(message.to_json(), ensure_ascii=False)
    assert json.loads(dumped) == message.to_json()
    assert message.blocks[0]["text"]["text"].startswith("<b>x</b> &")  # plain_text: literal
    assert any(
        "&lt;b&gt;x&lt;/b&gt; &amp;" in json.dumps(b, ensure_ascii=False) for b in message.blocks
    )


def test_hostile_text_is_autoescaped_in_email_html() -> None:
    message = Renderer().email(_hostile_issue(), Variant.TOP5)  # type: ignore[arg-type]
    assert "<b>x</b>" not in message.html
    assert "&lt;b&gt;x&lt;/b&gt;" in message.html
    assert "\n" not in message.subject
