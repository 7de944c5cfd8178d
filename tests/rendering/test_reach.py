"""Digests point readers only where they can go (issue 13 point 3, issue 9 point 11).

With `[site] base_url`, every Top 3 / Top 5 digest on every channel ends with a "阅读全文"
link to the issue's page and emails open with "在浏览器中查看". "发送 /today full" appears
only where the reader can send it: a private chat or a reply to their own command. Without a
site, a channel, a group, a Slack channel or a mailbox is promised nothing.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from digestbot.model import Variant
from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.rendering import Audience, Renderer, audience_of
from tests.rendering.builders import sample_issue
from tests.rendering.validators import validate

ISSUE = sample_issue()
SITE = "https://digest.example.org"
PAGE = f"{SITE}/issues/2026-04-20"
SHORT = [Variant.TOP3, Variant.TOP5]
CHANNELS_AND_AUDIENCES = [
    ("telegram", Audience.BROADCAST),
    ("telegram", Audience.CHAT),
    ("slack", Audience.BROADCAST),
    ("slack", Audience.CHAT),
    ("email", Audience.BROADCAST),
]
# Promises a reader of a broadcast cannot keep without a site.
DEAD_PROMISES = ("/today", "回复", "网页", "阅读全文", "在浏览器中查看")


def _links(payload: Payload) -> list[tuple[str, str]]:
    """(href, label) of every link, in order, as the platform would show them."""
    if isinstance(payload, TelegramMessage):
        return re.findall(r'<a href="([^"]*)">([^<]*)</a>', payload.text)
    if isinstance(payload, SlackMessage):
        return re.findall(r"<([^|<>]+)\|([^<>]*)>", str(payload.to_json()))
    assert isinstance(payload, EmailMessage)
    soup = BeautifulSoup(payload.html, "html.parser")
    return [(str(a.get("href")), a.get_text()) for a in soup.find_all("a")]


def _text(payload: Payload) -> str:
    if isinstance(payload, EmailMessage):
        return payload.text + payload.html
    return str(payload.to_json())


@pytest.mark.parametrize("variant", SHORT)
@pytest.mark.parametrize(("channel", "audience"), CHANNELS_AND_AUDIENCES)
def test_with_a_site_every_short_digest_ends_with_a_link_to_the_issue_page(
    channel: str, audience: Audience, variant: Variant
) -> None:
    payloads = Renderer(site_base_url=SITE).render(ISSUE, channel, variant, audience)

    for payload in payloads:
        validate(payload)
    links = _links(payloads[-1])
    if channel == "email":  # the footer's 管理订阅 and 退订 come after the digest itself
        assert [label for _, label in links[-2:]] == ["管理订阅", "退订"]
        links = links[:-2]
    assert links[-1][0] == PAGE and "阅读全文" in links[-1][1]
    assert "/today" not in "".join(_text(p) for p in payloads)


@pytest.mark.parametrize("variant", list(Variant))
def test_with_a_site_an_email_opens_with_view_in_browser(variant: Variant) -> None:
    message = Renderer(site_base_url=SITE).email(ISSUE, variant)

    first_href, first_label = _links(message)[0]
    assert (first_href, first_label) == (PAGE, "在浏览器中查看")
    assert message.text.lstrip().startswith(f"[在浏览器中查看]({PAGE})")


@pytest.mark.parametrize("variant", list(Variant))
@pytest.mark.parametrize("channel", ["telegram", "slack", "email"])
def test_without_a_site_a_broadcast_promises_nothing(channel: str, variant: Variant) -> None:
    payloads = Renderer().render(ISSUE, channel, variant, Audience.BROADCAST)

    text = "".join(_text(p) for p in payloads)
    for promise in DEAD_PROMISES:
        assert promise not in text, promise
    assert all(not href.startswith(SITE) for p in payloads for href, _ in _links(p))


@pytest.mark.parametrize("variant", SHORT)
@pytest.mark.parametrize("channel", ["telegram", "slack"])
def test_without_a_site_a_chat_is_told_the_command_it_can_send(
    channel: str, variant: Variant
) -> None:
    payloads = Renderer().render(ISSUE, channel, variant, Audience.CHAT)

    assert "发送 /today full 查看完整日报" in _text(payloads[-1])


def test_the_full_digest_needs_no_pointer_to_the_rest() -> None:
    for channel, audience in CHANNELS_AND_AUDIENCES:
        payloads = Renderer(site_base_url=SITE).render(ISSUE, channel, Variant.FULL, audience)
        text = "".join(_text(p) for p in payloads)
        assert "阅读全文" not in text and "/today" not in text


@pytest.mark.parametrize(
    ("channel", "target", "audience"),
    [
        ("telegram", "123456789", Audience.CHAT),  # a user: a private chat
        ("telegram", "-123456789", Audience.BROADCAST),  # a basic group
        ("telegram", "-1001234567890", Audience.BROADCAST),  # a supergroup or channel
        ("telegram", "@ai_daily", Audience.BROADCAST),  # a public channel
        ("slack", "C0123456", Audience.BROADCAST),
        ("email", "reader@example.org", Audience.BROADCAST),
    ],
)
def test_only_telegram_private_chats_can_send_commands(
    channel: str, target: str, audience: Audience
) -> None:
    assert audience_of(channel, target) is audience


@pytest.mark.parametrize("variant", SHORT)
def test_without_a_site_a_telegram_channel_is_pointed_to_the_bots_chat(variant: Variant) -> None:
    renderer = Renderer(telegram_bot="ai_daily_bot")

    broadcast = renderer.telegram(ISSUE, variant, Audience.BROADCAST)
    chat = renderer.telegram(ISSUE, variant, Audience.CHAT)

    assert _links(broadcast[-1])[-1] == ("https://t.me/ai_daily_bot", "阅读全文：@ai_daily_bot")
    assert "/today" not in "".join(p.text for p in broadcast)
    assert "发送 /today full" in chat[-1].text and "t.me" not in chat[-1].text
    for channel in ("slack", "email"):  # the Telegram bot means nothing there
        assert "t.me" not in "".join(_text(p) for p in renderer.render(ISSUE, channel, variant))


def test_a_site_wins_over_the_bot_link() -> None:
    renderer = Renderer(site_base_url=SITE, telegram_bot="ai_daily_bot")

    [message] = renderer.telegram(ISSUE, Variant.TOP3)

    assert _links(message)[-1][0] == PAGE and "t.me" not in message.text
