"""The Renderer's public behaviour: variants, channels, caching, operator templates, errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from digestbot.model import Variant
from digestbot.payloads import UNSUBSCRIBE_PLACEHOLDER, EmailMessage, TelegramMessage
from digestbot.rendering import Audience, Renderer, RenderError, telegram_visible_text
from digestbot.resources import builtin_templates_dir
from tests.rendering.builders import sample_issue

ISSUE = sample_issue()


def _tg(variant: Variant, audience: Audience = Audience.BROADCAST) -> str:
    parts = Renderer().telegram(ISSUE, variant, audience)
    return "\n".join(telegram_visible_text(m.text) for m in parts)


def test_top3_in_a_chat_has_title_date_conclusions_and_the_command_for_more() -> None:
    text = _tg(Variant.TOP3, Audience.CHAT)
    assert ISSUE.title in text and "2026-04-20" in text
    assert all(c in text for c in ISSUE.conclusions)
    assert "/today full" in text
    assert ISSUE.events[0].title not in text


def test_top5_adds_one_card_per_event_without_the_full_fields() -> None:
    text = _tg(Variant.TOP5)
    for e in ISSUE.events:
        assert e.title in text and e.what_happened in text and e.why_it_matters in text
        assert e.sources[0].name in text
    assert ISSUE.events[0].key_facts not in text
    assert ISSUE.overview[0] not in text


@pytest.mark.parametrize("channel", ["telegram", "slack", "email"])
def test_full_holds_every_section(channel: str) -> None:
    payloads = Renderer().render(ISSUE, channel, "full")
    text = "".join(
        telegram_visible_text(p.text) if isinstance(p, TelegramMessage) else str(p.to_json())
        for p in payloads
    )
    fields = [
        *ISSUE.overview[:1],
        *ISSUE.conclusions,
        ISSUE.events[0].key_facts.split("。")[0],
        ISSUE.events[0].implications,
        *ISSUE.analysis,
        ISSUE.x_posts[0].verdict,
        ISSUE.research[0].novelty,
    ]
    for field in fields:
        assert field.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in text or (
            field in text
        ), field


def test_slack_full_parent_holds_the_summary_and_every_card_and_the_thread_the_rest() -> None:
    full = Renderer().slack(ISSUE, Variant.FULL)
    parent = str(full[0].blocks)
    thread = str([m.blocks for m in full[1:]])
    assert len(full) >= 2
    for shown in (ISSUE.coverage, ISSUE.overview[0], ISSUE.conclusions[0]):
        assert shown in parent
    assert all(e.title in parent and e.implications in parent for e in ISSUE.events)
    assert ISSUE.analysis[0] in thread and ISSUE.research[0].title in thread
    assert ISSUE.analysis[0] not in parent


def test_email_has_subject_text_html_and_unsubscribe_placeholder() -> None:
    message = Renderer().email(ISSUE, "top5")
    assert isinstance(message, EmailMessage)
    assert ISSUE.title in message.subject and "Top 5" in message.subject
    assert UNSUBSCRIBE_PLACEHOLDER in message.html and UNSUBSCRIBE_PLACEHOLDER in message.text
    assert 'style="' in message.html  # CSS inlined onto elements
    personal = message.for_recipient("https://e.org/u/1")
    assert UNSUBSCRIBE_PLACEHOLDER not in personal.html


def test_render_returns_one_email_and_telegram_messages_disable_previews() -> None:
    renderer = Renderer()
    assert len(renderer.render(ISSUE, "email", Variant.TOP3)) == 1
    body = renderer.telegram(ISSUE, "top3")[0].to_json()
    assert body["parse_mode"] == "HTML"
    assert body["link_preview_options"] == {"is_disabled": True}


def test_renders_are_memoized_per_issue_channel_and_variant() -> None:
    renderer = Renderer()
    first = renderer.render(ISSUE, "telegram", "top5")
    again = renderer.render(dataclasses.replace(ISSUE), "telegram", Variant.TOP5)
    assert all(a is b for a, b in zip(first, again, strict=True))
    other = renderer.render(dataclasses.replace(ISSUE, title="Other"), "telegram", "top5")
    assert other[0] is not first[0]


def test_unknown_channel_or_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="fax"):
        Renderer().render(ISSUE, "fax", "top3")
    with pytest.raises(ValueError):
        Renderer().render(ISSUE, "telegram", "top4")


def test_operator_template_overrides_a_single_template(tmp_path: Path) -> None:
    (tmp_path / "telegram").mkdir()
    (tmp_path / "telegram" / "top3.html.j2").write_text(
        '{% import "telegram/_macros.html.j2" as m %}OPERATOR {{ issue.title }} & co\n'
        "{{ BREAK }}{{ m.conclusions(issue.conclusions) }}"
    )
    renderer = Renderer(tmp_path)
    text = renderer.telegram(ISSUE, "top3")[0].text
    assert text.startswith("OPERATOR AI 前沿发展日报")
    assert "今日三条结论" in text  # built-in macros still found
    assert renderer.telegram(ISSUE, "top5")[0].text == Renderer().telegram(ISSUE, "top5")[0].text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("telegram/top3.html.j2", "{% if %}", "telegram/top3.html.j2"),
        ("telegram/top3.html.j2", '{% include "telegram/nope.j2" %}', "telegram/nope.j2"),
        ("slack/top3.json.j2", "{{ issue.title }}", "without |tojson"),
        ("slack/top3.json.j2", '{"type": "section", "text": ', "not a JSON object stream"),
        ("email/top3.html.j2", "{{ issue.no_such_field }}", "no_such_field"),
    ],
)
def test_broken_operator_template_raises_render_error_naming_it(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True)
    target.write_text(content)
    channel, variant = name.split("/")[0], "top3"
    with pytest.raises(RenderError, match=message.replace("|", r"\|")) as info:
        Renderer(tmp_path).render(ISSUE, channel, variant)
    assert name in str(info.value) or message in str(info.value)


def test_missing_templates_dir_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="not a directory"):
        Renderer(tmp_path / "absent")


def test_builtin_templates_are_found_with_every_variant() -> None:
    root = builtin_templates_dir()
    for channel, suffix in [("telegram", "html"), ("slack", "json"), ("email", "html")]:
        for variant in Variant:
            assert (root / channel / f"{variant.value}.{suffix}.j2").is_file()
