"""Email digests: a subject line, an HTML body with its CSS inlined, and a plain-text twin,
together within the size a mail client shows unclipped."""

from __future__ import annotations

import dataclasses
import logging
import math
import re

import css_inline
import jinja2
from bs4 import BeautifulSoup
from markdownify import markdownify

from digestbot.model import Issue, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering.limits import EMAIL_MAX_BYTES, truncate
from digestbot.rendering.reach import NO_REACH, Reach
from digestbot.rendering.templating import render_template

log = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Mail clients drop <style> blocks unpredictably, so every rule is copied onto its elements;
# the @media rule is kept in <style> because it cannot be inlined and phones that honour it
# get tighter margins.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)

# What the channel adds per recipient: headers (From, List-Id, an encoded subject, and
# List-Unsubscribe with a token of up to ~870 characters), and that URL and the signed
# preferences link in both bodies.
_RECIPIENT_RESERVE = 8_000
_MIME_OVERHEAD = 500  # boundaries and the two part headers
BODY_BUDGET = EMAIL_MAX_BYTES - _RECIPIENT_RESERVE
# Shorter forms to fall back to, in order, when a digest would not fit BODY_BUDGET.
_FORMS = {
    Variant.FULL: (Variant.FULL, Variant.TOP5, Variant.TOP3),
    Variant.TOP5: (Variant.TOP5, Variant.TOP3),
    Variant.TOP3: (Variant.TOP3,),
}
# The last resort for absurd input: conclusions cut to this, at most this many of them.
_LAST_RESORT_CHARS = 500
_LAST_RESORT_ITEMS = 10


def _base64_size(text: str) -> int:
    """Base64 of the UTF-8 bytes in 76-character lines ending in CRLF (RFC 2045)."""
    chars = 4 * math.ceil(len(text.encode("utf-8")) / 3)
    return chars + 2 * math.ceil(chars / 76)


def body_wire_size(message: EmailMessage) -> int:
    """Bytes both bodies take on the wire. The channel sends each part base64-encoded: for
    CJK text quoted-printable would triple the size (`=E4=B8=AD` per character)."""
    return _base64_size(message.text) + _base64_size(message.html) + _MIME_OVERHEAD


def _plain_text(html: str) -> str:
    """The readable text of the body as Markdown-ish plain text (links kept as URLs)."""
    soup = BeautifulSoup(html, "html.parser")
    body = soup.body or soup
    text = markdownify(str(body), heading_style="ATX", bullets="-", strip=["img"])
    lines = (line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"


def _render_form(
    env: jinja2.Environment, issue: Issue, form: Variant, reach: Reach, shortened: bool
) -> EmailMessage:
    extra = {"shortened": shortened}
    subject = render_template(env, "email/subject.txt.j2", issue, form, reach, extra)
    html = render_template(env, f"email/{form.value}.html.j2", issue, form, reach, extra)
    return email_from_html(subject, html)


def email_from_html(subject: str, html: str) -> EmailMessage:
    """A message from a rendered HTML body: CSS inlined, plain-text twin derived from it
    (digests, and service mail such as a sign-up confirmation)."""
    return EmailMessage(
        subject=_WHITESPACE.sub(" ", subject).strip(),
        text=_plain_text(html),
        html=_INLINER.inline(html),
    )


def _last_resort(issue: Issue) -> Issue:
    return dataclasses.replace(
        issue,
        title=truncate(issue.title, 200),
        conclusions=tuple(
            truncate(c, _LAST_RESORT_CHARS) for c in issue.conclusions[:_LAST_RESORT_ITEMS]
        ),
    )


def render_email(
    env: jinja2.Environment, issue: Issue, variant: Variant, reach: Reach = NO_REACH
) -> EmailMessage:
    """One message for every recipient; the unsubscribe URL is filled in per recipient.

    A digest too big for one unclipped email steps down (full → top5 → top3) and says so at
    its top, with a link to the issue's web page when there is one; as a last resort the
    conclusions themselves are shortened."""
    for form in _FORMS[variant]:
        message = _render_form(env, issue, form, reach, shortened=form is not variant)
        if body_wire_size(message) <= BODY_BUDGET:
            break
    else:
        message = _render_form(env, _last_resort(issue), Variant.TOP3, reach, shortened=True)
        form = Variant.TOP3
    if form is not variant:
        log.warning(
            "email %s of %s would pass %d bytes; sending the %s form instead",
            variant.value,
            issue.date_iso or "the issue",
            EMAIL_MAX_BYTES,
            form.value,
        )
    return message


__all__ = ["BODY_BUDGET", "body_wire_size", "email_from_html", "render_email"]
