"""Builds the MIME message for one recipient. EmailChannel sends it and OutboxChannel writes it
as .eml, so what the outbox shows is byte for byte what SMTP would carry."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

from digestbot.channels.mail_headers import POLICY, from_header, list_id, list_unsubscribe
from digestbot.payloads import EmailMessage
from digestbot.signup.tokens import preferences_link
from digestbot.unsubscribe_token import unsubscribe_link


def msgid_domain(from_addr: str) -> str:
    """The domain for Message-IDs: the sender's, so they look like the sender's own mail."""
    _, _, domain = from_addr.rpartition("@")
    return domain.strip(" >") or "digestbot.invalid"


def build_email(
    payload: EmailMessage,
    *,
    from_addr: str,
    to_addr: str,
    unsubscribe_url: str | None = None,
    unsubscribe_secret: str | None = None,
    preferences_url: str | None = None,
) -> MimeMessage:
    """A multipart/alternative message (text, then HTML - clients show the last part they
    understand) with Message-ID, Date, List-Id and RFC 8058 one-click unsubscribe headers.
    `from_addr` may carry a display name (`AI 前沿发展日报 <digest@example.org>`).
    `preferences_url` is the service's `/preferences` page (a signed link per recipient)."""
    link = None
    if unsubscribe_url and unsubscribe_secret:
        link = unsubscribe_link(unsubscribe_url, unsubscribe_secret, to_addr)
    elif unsubscribe_url:
        link = unsubscribe_url
    preferences = None
    if preferences_url and unsubscribe_secret:
        preferences = preferences_link(preferences_url, unsubscribe_secret, to_addr)
    body = payload.for_recipient(link, preferences) if link else payload

    msg = MimeMessage(policy=POLICY)
    msg["From"] = from_header(from_addr)
    msg["To"] = to_addr
    msg["Subject"] = body.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=msgid_domain(from_addr))
    msg["List-Id"] = list_id(from_addr)
    if link:
        msg["List-Unsubscribe"] = list_unsubscribe(link)
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # base64 for both parts: the stdlib would pick quoted-printable for a text part that starts
    # with ASCII lines, and CJK in quoted-printable takes 9 bytes a character instead of 4.
    msg.set_content(body.text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(body.html, subtype="html", charset="utf-8", cte="base64")
    return msg


__all__ = ["POLICY", "build_email", "msgid_domain"]
