"""The step-down ladder: when a platform refuses a digest's form (Telegram "can't parse
entities" / "message is too long", Slack invalid_blocks / msg_too_long, SMTP 552), the same
digest goes out once more one step smaller - full → top5 → top3 (which ends with the link to
the issue page) → plain text - instead of the reader getting nothing because of formatting.

Plain text is the top3 digest without markup: Telegram without parse mode (links written out),
Slack as a text-only message, email with its HTML part reduced to the text."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from digestbot.channels.errors import PayloadRejected
from digestbot.model import Variant
from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.store import ClaimedDelivery, WorkQueue

log = logging.getLogger(__name__)

PLAIN = "plain"
# From the biggest form down; a delivery starts at its variant.
LADDER: tuple[str, ...] = (Variant.FULL.value, Variant.TOP5.value, Variant.TOP3.value, PLAIN)
SLACK_PLAIN_LIMIT = 3900  # characters of a text-only message (Slack truncates at 40,000)

_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def next_form(variant: Variant, form: str | None) -> str | None:
    """The form after `form` (None: the variant itself), or None at the bottom."""
    current = LADDER.index(form or variant.value)
    return LADDER[current + 1] if current + 1 < len(LADDER) else None


async def step_down(
    ledger: WorkQueue,
    claimed: ClaimedDelivery,
    refusal: PayloadRejected,
    parts_in: Callable[[str], int],
) -> ClaimedDelivery | None:
    """`claimed` replanned one step down the ladder (`parts_in(form)`: how many parts the
    digest has in that form), recorded with the refusal; None at the bottom of the ladder,
    or when part of it already reached the target (a smaller form would repeat it)."""
    form = next_form(claimed.variant, claimed.form)
    if form is None:
        return None
    was = claimed.form or claimed.variant.value
    reason = f"{refusal.detail}; stepped down from {was} to {form}"
    smaller = await ledger.step_down(claimed, form, parts_in(form), reason)
    if smaller is not None:
        log.info("%s: %s %s", claimed.channel, claimed.target, reason)
    return smaller


def rendered_as(variant: Variant, form: str | None) -> Variant:
    """The rendered variant whose parts `form` sends (None: `variant`'s own); plain text is
    top3's parts without markup, so it has as many parts as top3."""
    if form is None:
        return variant
    return Variant.TOP3 if form == PLAIN else Variant(form)


def form_payloads(
    variants: Mapping[Variant, Sequence[Payload]], variant: Variant, form: str | None
) -> list[Payload]:
    """The parts of the digest in `form` (None: `variant`'s own)."""
    parts = variants[rendered_as(variant, form)]
    if form == PLAIN:
        return [plain(payload) for payload in parts]
    return list(parts)


def plain(payload: Payload) -> Payload:
    """`payload` without markup."""
    if isinstance(payload, TelegramMessage):
        return TelegramMessage(
            _telegram_text(payload.text) if payload.parse_mode == "HTML" else payload.text,
            parse_mode=None,
            disable_link_preview=payload.disable_link_preview,
        )
    if isinstance(payload, SlackMessage):
        text = "\n".join(_slack_lines(payload.blocks)) or payload.text
        return SlackMessage(text=text[:SLACK_PLAIN_LIMIT], blocks=())
    text = payload.text
    return EmailMessage(
        subject=payload.subject,
        text=text,
        html=f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre>',
    )


def _telegram_text(source: str) -> str:
    linked = _LINK.sub(lambda m: f"{m.group(2)} {html.unescape(m.group(1))}", source)
    return html.unescape(_TAG.sub("", linked))


def _slack_lines(blocks: Sequence[dict[str, Any]]) -> list[str]:
    """The words of Block Kit blocks, one line per block (links as "name url")."""
    lines = []
    for block in blocks:
        words: list[str] = []
        _collect(block, words)
        line = " ".join(w for w in words if w).strip()
        if line:
            lines.append(line)
    return lines


def _collect(node: Any, words: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, words)
    elif isinstance(node, dict):
        if node.get("type") == "link":
            words.append(f"{node.get('text') or ''} {node.get('url', '')}".strip())
            return
        text = node.get("text")
        if isinstance(text, str):
            words.append(_unslack(text))
        elif text is not None:
            _collect(text, words)
        for key in ("fields", "elements"):
            if key in node:
                _collect(node[key], words)


def _unslack(text: str) -> str:
    """mrkdwn links `<url|name>` as "name url"; Slack's three escapes undone."""
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2 \1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


__all__ = [
    "LADDER",
    "PLAIN",
    "form_payloads",
    "next_form",
    "plain",
    "rendered_as",
    "step_down",
]
