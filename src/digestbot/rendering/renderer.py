"""The one entry point for rendering: any issue, any channel, any variant, memoized."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import jinja2

from digestbot.changes import diff_issues
from digestbot.issue_pages import issue_page_url
from digestbot.model import Channel, Issue, Variant
from digestbot.payloads import EmailMessage, Payload, SlackMessage, TelegramMessage
from digestbot.rendering.environment import make_environment
from digestbot.rendering.reach import Audience, Reach, bot_chat_url
from digestbot.rendering.slack import render_slack
from digestbot.rendering.telegram import render_telegram

# Renders are small and an issue is current for a day: a few issues × 9 renders is plenty.
_CACHE_SIZE = 64
RenderKey = tuple[Issue, Channel, Variant, Audience]


class Renderer:
    """Renders issues from the built-in templates, or from an operator's `templates_dir` that
    overrides any single template (same relative path, e.g. `telegram/top5.html.j2`).

    With `site_base_url` (`[site] base_url`) digests link to the issue's web page; without
    it, Telegram channel and group digests link to the bot (`telegram_bot`, its @username).

    Renders are cached per (issue, channel, variant, audience): publishing and the bot's
    /today share one Renderer, so a busy morning renders each digest once.
    """

    def __init__(
        self,
        templates_dir: Path | None = None,
        *,
        site_base_url: str = "",
        telegram_bot: str = "",
    ) -> None:
        self.templates_dir = templates_dir
        self.site_base_url = site_base_url
        self.telegram_bot = telegram_bot
        self._envs = {channel: make_environment(channel, templates_dir) for channel in Channel}
        self._cache: OrderedDict[RenderKey, tuple[Payload, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def telegram(
        self, issue: Issue, variant: Variant | str, audience: Audience = Audience.BROADCAST
    ) -> list[TelegramMessage]:
        payloads = self.render(issue, Channel.TELEGRAM, variant, audience)
        return [p for p in payloads if isinstance(p, TelegramMessage)]

    def slack(
        self, issue: Issue, variant: Variant | str, audience: Audience = Audience.BROADCAST
    ) -> list[SlackMessage]:
        """The first message is the parent; any others are its thread replies, in order."""
        payloads = self.render(issue, Channel.SLACK, variant, audience)
        return [p for p in payloads if isinstance(p, SlackMessage)]

    def email(self, issue: Issue, variant: Variant | str) -> EmailMessage:
        (message,) = self.render(issue, Channel.EMAIL, variant)
        assert isinstance(message, EmailMessage)
        return message

    def render(
        self,
        issue: Issue,
        channel: Channel | str,
        variant: Variant | str,
        audience: Audience = Audience.BROADCAST,
    ) -> list[Payload]:
        """The payloads for one channel, in sending order (email: exactly one). `audience`
        CHAT is for readers who can send /today (a private chat, a reply to a command)."""
        key = (issue, Channel(channel), Variant(variant), Audience(audience))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return list(self._cache[key])
        reach = Reach(
            issue_url=issue_page_url(self.site_base_url, issue.date),
            commands=key[3] is Audience.CHAT,
            bot_url=bot_chat_url(self.telegram_bot) if key[1] is Channel.TELEGRAM else None,
        )
        payloads = self._render(issue, key[1], key[2], reach)
        with self._lock:
            self._cache[key] = payloads
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return list(payloads)

    def correction_notice(self, old: Issue, new: Issue) -> EmailMessage:
        """The email readers of `old` get when `new` corrects it: what changed, item by item,
        with a link to the corrected issue's web page when there is a site."""
        # Imported here, like render_email below: it builds an email.
        from digestbot.rendering.corrections import render_notice

        reach = Reach(issue_url=issue_page_url(self.site_base_url, new.date))
        return render_notice(self._envs[Channel.EMAIL], new, diff_issues(old, new), reach)

    def retraction_notice(self, issue: Issue, reason: str) -> EmailMessage:
        """The email readers of `issue` get when it is retracted, with the editors' reason."""
        from digestbot.rendering.retraction import render_retraction  # an email, as above

        return render_retraction(self._envs[Channel.EMAIL], issue, reason)

    def clear_cache(self) -> None:
        """Forget every memoized render (after an operator edits templates, or in benchmarks)."""
        with self._lock:
            self._cache.clear()

    def _render(
        self, issue: Issue, channel: Channel, variant: Variant, reach: Reach
    ) -> tuple[Payload, ...]:
        env: jinja2.Environment = self._envs[channel]
        if channel is Channel.TELEGRAM:
            return tuple(render_telegram(env, issue, variant, reach))
        if channel is Channel.SLACK:
            return tuple(render_slack(env, issue, variant, reach))
        # Imported here: the email renderer's HTML stack (BeautifulSoup, css-inline) loads
        # only when an email is rendered, not for every Telegram or Slack render.
        from digestbot.rendering.email import render_email

        return (render_email(env, issue, variant, reach),)


__all__ = ["Renderer"]
