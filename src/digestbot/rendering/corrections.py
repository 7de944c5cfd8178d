"""The email notice of a correction: mail cannot be edited, so readers who got an earlier
revision receive one short mail listing what changed."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from digestbot.changes import Change, describe
from digestbot.model import Issue, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering.email import email_from_html
from digestbot.rendering.marks import CORRECTION
from digestbot.rendering.reach import Reach
from digestbot.rendering.templating import render_template


def render_notice(
    env: jinja2.Environment, issue: Issue, changes: Sequence[Change], reach: Reach
) -> EmailMessage:
    """The short correction mail for `issue` (the corrected revision), one line per change."""
    lines = [describe(change) for change in changes]
    body = render_template(
        env,
        "email/correction.html.j2",
        issue,
        Variant.TOP3,
        reach,
        {"changes": lines, "shortened": False},
    )
    title = " ".join(issue.title.split())
    date = f" · {issue.date_iso}" if issue.date_iso and issue.date_iso not in title else ""
    return email_from_html(f"{CORRECTION}：{title}{date}", body)


__all__ = ["render_notice"]
