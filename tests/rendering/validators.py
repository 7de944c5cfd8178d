"""Checks written from the platforms' documented rules, independent of the renderer's code.

Telegram: https://core.telegram.org/bots/api#html-style and #sendmessage (4096 characters after
entity parsing, counted in UTF-16; at most 100 entities). Slack: Block Kit reference for the
block types we use and chat.postMessage (≤ 50 blocks, `text` fallback). Email: RFC 2046
multipart/alternative, simplest part first.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage as MimeMessage
from typing import Any

from digestbot.payloads import EmailMessage, SlackMessage, TelegramMessage
from tests.fakes.telegram_html import ALLOWED_TAGS, utf16_len, visible_text

_TG_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+=\"[^\"<>]*\")*)\s*>")
_TG_ATTR = re.compile(r"([a-zA-Z-]+)=\"([^\"<>]*)\"")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def _check_entities(text: str, where: str) -> None:
    for m in re.finditer("&", text):
        assert _ENTITY.match(text, m.start()), (
            f"{where}: bare or unknown entity at {text[m.start() : m.start() + 12]!r}"
        )


def validate_telegram(message: TelegramMessage) -> None:
    """HTML parse mode: allowed tags only, balanced, valid entities, 4096 UTF-16, 100 entities."""
    assert message.parse_mode == "HTML"
    text = message.text
    stack: list[str] = []
    entities = 0
    pos = 0
    for m in _TG_TAG.finditer(text):
        chunk = text[pos : m.start()]
        assert "<" not in chunk and ">" not in chunk, f"bare < or > in {chunk[:60]!r}"
        _check_entities(chunk, "text")
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        assert name in ALLOWED_TAGS, f"tag <{name}> is not allowed by Telegram"
        if closing:
            assert not attrs, f"closing tag with attributes: {m.group(0)!r}"
            assert stack and stack[-1] == name, f"</{name}> closes {stack[-1:] or 'nothing'}"
            stack.pop()
        else:
            found = dict(_TG_ATTR.findall(attrs))
            if name == "a":
                assert set(found) == {"href"}, f"<a> needs exactly href: {m.group(0)!r}"
                _check_entities(found["href"], "href")
                href = html.unescape(found["href"])
                assert re.match(r"(https?|tg|mailto):", href), f"unsupported link {href[:60]!r}"
            else:
                assert name in ("span", "code", "pre", "tg-emoji", "blockquote") or not found
            stack.append(name)
            entities += 1
        pos = m.end()
    tail = text[pos:]
    assert "<" not in tail and ">" not in tail, f"bare < or > in {tail[:60]!r}"
    _check_entities(tail, "text")
    assert not stack, f"unclosed tags {stack}"
    # The structure is checked above with our stricter rules; what a reader sees (and what
    # Telegram's length limit counts) comes from the same entity parser the fake server uses.
    shown = visible_text(text)
    assert shown.strip(), "empty message"
    units = utf16_len(shown)
    assert units <= 4096, f"{units} UTF-16 units > 4096"
    assert entities <= 100, f"{entities} entities > 100"


def _text_object(obj: Any, *, max_len: int, kinds: tuple[str, ...], where: str) -> None:
    assert isinstance(obj, dict), f"{where}: text object must be an object"
    assert obj.get("type") in kinds, f"{where}: text type {obj.get('type')!r} not in {kinds}"
    assert set(obj) <= {"type", "text", "emoji", "verbatim"}, f"{where}: keys {sorted(obj)}"
    text = obj.get("text")
    assert isinstance(text, str) and 1 <= len(text) <= max_len, (
        f"{where}: text length {len(text) if isinstance(text, str) else text!r} not in 1..{max_len}"
    )
    if obj["type"] == "mrkdwn":
        _check_mrkdwn(text, where)


_SLACK_LINK = re.compile(r"<((?:https?|mailto|tg):[^<>|\s]+)\|([^<>|]*)>")


def _check_mrkdwn(text: str, where: str) -> None:
    """`& < >` escaped; `<` only opens a `<url|label>` link."""
    without_links = _SLACK_LINK.sub("", text)
    assert "<" not in without_links and ">" not in without_links, (
        f"{where}: unescaped < or > in {without_links[:80]!r}"
    )
    for m in re.finditer("&", text):
        assert re.match(r"&(?:amp|lt|gt);", text[m.start() :]), f"{where}: bare & in mrkdwn"


def _check_rich_text(block: dict[str, Any], where: str) -> None:
    """rich_text → rich_text_section → text / link leaves (the ones we emit); raw text, no
    mrkdwn escaping, a link's url an absolute http(s) URL of at most 3000 characters."""
    assert set(block) <= {"type", "elements", "block_id"}, where
    sections = block["elements"]
    assert isinstance(sections, list) and sections, where
    for section in sections:
        assert section.get("type") == "rich_text_section", where
        leaves = section["elements"]
        assert isinstance(leaves, list) and leaves, where
        for leaf in leaves:
            if leaf.get("type") == "text":
                assert set(leaf) <= {"type", "text", "style"}, where
                assert isinstance(leaf["text"], str) and leaf["text"], where
            elif leaf.get("type") == "link":
                assert set(leaf) <= {"type", "url", "text", "style"}, where
                url = leaf["url"]
                assert re.match(r"(https?|mailto|tg):\S+\Z", url) and len(url) <= 3000, where
                assert isinstance(leaf.get("text", "x"), str) and leaf.get("text", "x"), where
            else:
                raise AssertionError(f"{where}: rich_text leaf {leaf.get('type')!r} not ours")


def validate_slack(message: SlackMessage) -> None:
    """Block Kit: fallback text, ≤ 50 blocks, and the schema of the block types we use."""
    body = message.to_json()
    assert set(body) == {"text", "blocks"}
    assert isinstance(body["text"], str) and body["text"].strip(), "fallback text missing"
    assert len(body["text"]) <= 40_000
    blocks = body["blocks"]
    assert 1 <= len(blocks) <= 50, f"{len(blocks)} blocks"
    for n, block in enumerate(blocks):
        where = f"block {n} ({block.get('type')})"
        kind = block.get("type")
        if kind == "header":
            assert set(block) <= {"type", "text", "block_id"}, where
            _text_object(block["text"], max_len=150, kinds=("plain_text",), where=where)
        elif kind == "section":
            assert set(block) <= {"type", "text", "block_id"}, where
            _text_object(block["text"], max_len=3000, kinds=("mrkdwn", "plain_text"), where=where)
        elif kind == "context":
            assert set(block) <= {"type", "elements", "block_id"}, where
            elements = block["elements"]
            assert 1 <= len(elements) <= 10, where
            for element in elements:
                _text_object(element, max_len=3000, kinds=("mrkdwn", "plain_text"), where=where)
        elif kind == "divider":
            assert set(block) <= {"type", "block_id"}, where
        elif kind == "rich_text":
            _check_rich_text(block, where)
        else:
            raise AssertionError(f"{where}: block type not in our schema")


def validate_email(message: EmailMessage, max_bytes: int | None = 100_000) -> None:
    """Builds the MIME message a mailer would send, parses it back, checks parts and size
    (Gmail clips bodies past ~102 KB; `max_bytes=None` skips that for absurdly long input)."""
    assert message.subject.strip() and "\n" not in message.subject and "\r" not in message.subject
    personal = message.for_recipient("https://example.org/unsubscribe?t=abc&u=1")
    assert "unsubscribe?t=abc" in personal.text
    assert "unsubscribe?t=abc&amp;u=1" in personal.html or "unsubscribe?t=abc&u=1" in personal.html
    mime = MimeMessage()
    mime["Subject"] = message.subject
    mime["From"] = "digest@example.org"
    mime["To"] = "reader@example.org"
    mime.set_content(message.text, charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    parsed = email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    # The stdlib folds long non-ASCII subjects into RFC 2047 encoded words and may drop a
    # space that falls between two of them; every other character must survive.
    assert "".join(str(parsed["Subject"]).split()) == "".join(message.subject.split())
    text_part, html_part = (p.get_content() for p in parts)  # type: ignore[attr-defined]
    assert text_part.replace("\r\n", "\n").strip() == message.text.replace("\r\n", "\n").strip()
    assert html_part.replace("\r\n", "\n").strip() == message.html.replace("\r\n", "\n").strip()
    size = len(message.html.encode("utf-8"))
    assert max_bytes is None or size < max_bytes, f"HTML is {size} bytes"
    assert "<style" not in message.html.split("<body", 1)[-1], "style block inside the body"


def validate(payload: Any, *, email_max_bytes: int | None = 100_000) -> None:
    if isinstance(payload, TelegramMessage):
        validate_telegram(payload)
    elif isinstance(payload, SlackMessage):
        validate_slack(payload)
    elif isinstance(payload, EmailMessage):
        validate_email(payload, email_max_bytes)
    else:
        raise AssertionError(f"unknown payload {type(payload).__name__}")
