"""Web pages from the `channel_templates/web/` templates: an issue, the archive, notices."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digestbot.model import Issue
from digestbot.rendering.templating import render_named
from digestbot.web.catalog import WebIssue
from digestbot.web.links import PageLinks
from digestbot.web.templates import web_environment

SITE_NAME = "AI 前沿发展日报"


def description(issue: Issue) -> str:
    """The three conclusions as one line: what a link preview (OpenGraph) shows."""
    return " ".join(f"{n}. {c}" for n, c in enumerate(issue.conclusions, start=1))


def issue_title(web: WebIssue, site_name: str = SITE_NAME) -> str:
    """The issue's own title, with its date when the title does not carry it already."""
    title = " ".join(web.issue.title.split()) or site_name
    day = web.date.isoformat()
    return title if day in title else f"{title} · {day}"


def by_month(issues: Sequence[WebIssue]) -> list[tuple[dt.date, list[WebIssue]]]:
    """Issues grouped by calendar month, in the order given (newest first stays so)."""
    return [
        (month, list(group))
        for month, group in itertools.groupby(issues, key=lambda w: w.date.replace(day=1))
    ]


class SitePages:
    def __init__(self, templates_dir: Path | None = None, site_name: str = SITE_NAME) -> None:
        self.env = web_environment(templates_dir)
        self.site_name = site_name

    def _render(self, name: str, links: PageLinks, **context: Any) -> str:
        return render_named(
            self.env, name, {"site_name": self.site_name, "links": links, **context}
        )

    def issue(
        self, web: WebIssue, links: PageLinks, newer: dt.date | None, older: dt.date | None
    ) -> str:
        return self._render(
            "web/issue.html.j2",
            links,
            web=web,
            newer=newer,
            older=older,
            page_title=issue_title(web, self.site_name),
            description=description(web.issue),
            og_type="article",
        )

    def article(self, issue: Issue) -> str:
        """The issue's body alone (the feed's content): only absolute links inside."""
        return render_named(self.env, "web/article.html.j2", {"issue": issue, "h": 2})

    def archive(self, issues: Sequence[WebIssue], links: PageLinks) -> str:
        return self._render(
            "web/archive.html.j2",
            links,
            months=by_month(issues),
            page_title=f"往期日报 · {self.site_name}",
            description=f"{self.site_name}的全部往期，每期附当天的三条结论。",
            og_type="website",
        )

    def render_form(self, name: str, links: PageLinks, title: str, **context: Any) -> str:
        """A sign-up page (`web/subscribe.html.j2` …); never shared, so no preview text."""
        return self._render(
            name,
            links,
            page_title=f"{title} · {self.site_name}",
            description="",
            og_type="website",
            **context,
        )

    def notice(
        self,
        title: str,
        paragraphs: Sequence[str],
        links: PageLinks,
        action: dict[str, str] | None = None,
    ) -> str:
        return self._render(
            "web/notice.html.j2",
            links,
            page_title=title,
            paragraphs=list(paragraphs),
            action=action,
            description="",
            og_type="website",
        )


__all__ = ["SITE_NAME", "SitePages", "by_month", "description", "issue_title"]
