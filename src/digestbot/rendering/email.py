"""Email digests: a subject line, an HTML body with its CSS inlined, and a plain-text twin."""

from __future__ import annotations

import re

import css_inline
import jinja2
from bs4 import BeautifulSoup
from markdownify import markdownify

from digestbot.model import Issue, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering.templating import render_template

_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Mail clients drop <style> blocks unpredictably, so every rule is copied onto its elements;
# the @media rule is kept in <style> because it cannot be inlined and phones that honour it
# get tighter margins.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def _plain_text(html: str) -> str:
    """The readable text of the body as Markdown-ish plain text (links kept as URLs)."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.body or soup
    text = markdownify(str(body), heading_style="ATX", bullets="-", strip=["img"])
    lines = (line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"


def render_email(env: jinja2.Environment, issue: Issue, variant: Variant) -> EmailMessage:
    """One message for every recipient; the unsubscribe URL is filled in per recipient."""
    subject = render_template(env, "email/subject.txt.j2", issue, variant)
    html = render_template(env, f"email/{variant.value}.html.j2", issue, variant)
    return email_from_html(subject, html)


def email_from_html(subject: str, html: str) -> EmailMessage:
    """A message from a rendered HTML body: CSS inlined, plain-text twin derived from it
    (digests, and service mail such as a sign-up confirmation)."""
    return EmailMessage(
        subject=_WHITESPACE.sub(" ", subject).strip(),
        text=_plain_text(html),
        html=_INLINER.inline(html),
    )


__all__ = ["email_from_html", "render_email"]
