"""One Jinja environment per channel, each escaping the way its platform parses text.

Templates never escape by hand: Telegram and email escape every `{{ }}` automatically (Telegram
through `finalize`, because Telegram's HTML wants exactly `& < > "` escaped), and Slack templates
emit JSON where every value must pass through `tojson` (anything else is refused at render time,
so hostile text can never break the JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from digestbot.model import Channel
from digestbot.payloads import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
from digestbot.rendering.errors import RenderError
from digestbot.rendering.limits import SLACK_MAX_HEADER, SLACK_MAX_SECTION, truncate
from digestbot.rendering.splitting import split_mrkdwn
from digestbot.rendering.template_cache import template_cache
from digestbot.resources import builtin_templates_dir

# Separates the blocks (sections, cards) of a Telegram render: messages split only between them.
BLOCK_BREAK = "\x1e"
# C0 and C1 controls other than tab and newline: invisible, rejected or mangled by the
# platforms (and by mail headers), and BLOCK_BREAK among them must never come from content.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINKABLE_SCHEMES = frozenset({"http", "https", "mailto", "tg"})
# A Slack link longer than this could not share a 3000-character section with anything.
_SLACK_MAX_LINK = 2000


def clean(text: object) -> str:
    """Content as a string without control characters (they carry nothing a reader sees)."""
    return _CONTROL.sub("", str(text))


def telegram_escape(text: object) -> str:
    """Telegram HTML parse mode: only `&`, `<`, `>` and `"` need (and get) entities."""
    return (
        clean(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def mrkdwn_escape(text: object) -> str:
    """Slack mrkdwn: `&`, `<` and `>` are control characters and must be entities."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def linkable(url: object) -> bool:
    """Only URLs a platform will accept as a link target (no javascript:, no relative paths)."""
    text = clean(url).strip()
    if not text or any(c.isspace() for c in text):
        return False
    return urlsplit(text).scheme.lower() in _LINKABLE_SCHEMES


def slack_link(url: object, label: object) -> str:
    """`<url|label>` that survives any label: `|` and `>` in it would end the link early."""
    label_text = mrkdwn_escape(label).replace("|", "¦") or mrkdwn_escape(url)
    if not linkable(url):
        return label_text
    target = (
        clean(url).strip().replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
    ).replace("|", "%7C")
    if len(target) + len(label_text) > _SLACK_MAX_LINK:
        # Too long to stay one unbreakable link; keep every character as splittable text.
        return f"{label_text} ({mrkdwn_escape(url)})"
    return f"<{target}|{label_text}>"


def slack_sources_block(items: Iterable[Any], label: str = "来源：") -> dict[str, Any] | None:
    """A Block Kit rich_text block listing sources as link elements. Unlike mrkdwn's
    `<url|label>`, a link element takes its label as plain data, so a name keeps every `|`,
    `>` or `&` it has. None when there is nothing to list."""
    elements: list[dict[str, Any]] = []
    for source in items:
        name = truncate(" ".join(clean(source.name).split()), _SLACK_MAX_LINK)
        url = clean(source.url).strip()
        if not name and not url:
            continue
        if elements:
            elements.append({"type": "text", "text": " · "})
        if linkable(url) and len(url) <= _SLACK_MAX_LINK:
            elements.append({"type": "link", "url": url, "text": name or url})
        else:
            elements.append({"type": "text", "text": name or truncate(url, _SLACK_MAX_LINK)})
    if not elements:
        return None
    section = [{"type": "text", "text": label}, *elements]
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": section}]}


def _telegram_finalize(value: Any) -> Any:
    if isinstance(value, Markup) or value is None:
        return value
    return Markup(telegram_escape(value))  # noqa: S704 - escaped on this very line


def _slack_finalize(value: Any) -> Any:
    if isinstance(value, Markup | int):
        return value
    raise jinja2.TemplateRuntimeError(
        f"a Slack template printed {type(value).__name__} {str(value)[:40]!r} without |tojson"
    )


def _sections(text: object, limit: int = SLACK_MAX_SECTION) -> list[str]:
    """Escaped mrkdwn cut into section-sized pieces; empty text gives no section at all."""
    return [chunk for chunk in split_mrkdwn(str(text).strip(), limit) if chunk.strip()]


def _plain(text: object, limit: int) -> str:
    """One line of plain_text within `limit`; never empty, which Slack would reject."""
    return truncate(" ".join(clean(text).split()), limit) or "-"


def _email_autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


def _loader(templates_dir: Path | None) -> jinja2.BaseLoader:
    builtin = jinja2.FileSystemLoader(builtin_templates_dir())
    if templates_dir is None:
        return builtin
    # The operator's directory mirrors channel_templates/: telegram/top3.html.j2 overrides ours.
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates_dir), builtin])


def make_environment(channel: Channel, templates_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for one channel; templates are named like "telegram/top3.html.j2"."""
    channel = Channel(channel)
    if templates_dir is not None and not templates_dir.is_dir():
        raise RenderError(str(templates_dir), "templates_dir is not a directory")
    common: dict[str, Any] = {
        "loader": _loader(templates_dir),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": False,
        # The options above and below compile into the code: this file is part of its key.
        "bytecode_cache": template_cache(channel, Path(__file__)),
    }
    filters: dict[str, Callable[..., Any]] = {"linkable": linkable, "clean": clean}
    env_globals: dict[str, Any] = {}
    if channel is Channel.TELEGRAM:
        env = jinja2.Environment(autoescape=True, finalize=_telegram_finalize, **common)
        env_globals["BREAK"] = Markup(BLOCK_BREAK)  # noqa: S704 - a constant control char
    elif channel is Channel.SLACK:
        # Autoescape only so macros and {% set %} blocks come back as Markup, which the strict
        # finalize lets through; content itself reaches the output only via tojson/mrkdwn/link.
        env = jinja2.Environment(autoescape=True, finalize=_slack_finalize, **common)
        filters.update(
            mrkdwn=lambda text: Markup(mrkdwn_escape(text)),  # noqa: S704 - escaped right here
            link=lambda url, label: Markup(slack_link(url, label)),  # noqa: S704 - escaped inside
            sections=_sections,
            plain=_plain,
            source_links=slack_sources_block,
        )
        env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
        env_globals["SLACK_MAX_HEADER"] = SLACK_MAX_HEADER
    else:
        env = jinja2.Environment(autoescape=_email_autoescape, **common)  # noqa: S701 - HTML is escaped
        env_globals["UNSUBSCRIBE"] = UNSUBSCRIBE_PLACEHOLDER
        env_globals["PREFERENCES"] = PREFERENCES_PLACEHOLDER
    env.filters.update(filters)
    env.globals.update(env_globals)
    return env


__all__ = [
    "BLOCK_BREAK",
    "clean",
    "linkable",
    "make_environment",
    "mrkdwn_escape",
    "slack_link",
    "slack_sources_block",
    "telegram_escape",
]
