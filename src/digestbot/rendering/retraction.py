"""The email notice of a retraction: mail cannot be unsent, so readers who got the issue
receive one short mail saying it was withdrawn, and why."""

from __future__ import annotations

import jinja2

from digestbot.model import Issue, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering.email import email_from_html
from digestbot.rendering.templating import render_template

RETRACTED_MARK = "撤回"


def render_retraction(env: jinja2.Environment, issue: Issue, reason: str) -> EmailMessage:
    """The retraction mail for `issue` (the revision its readers got). No link to the issue:
    its page is no longer served."""
    extra = {"reason": reason, "shortened": False}
    body = render_template(env, "email/retraction.html.j2", issue, Variant.TOP3, extra=extra)
    title = " ".join(issue.title.split())
    date = f" · {issue.date_iso}" if issue.date_iso and issue.date_iso not in title else ""
    return email_from_html(f"{RETRACTED_MARK}：{title}{date}", body)


__all__ = ["RETRACTED_MARK", "render_retraction"]
