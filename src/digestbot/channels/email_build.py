"""The wire bytes of one digest email per recipient. EmailChannel sends them and OutboxChannel
writes them as .eml, so what the outbox shows is byte for byte what SMTP would carry.

Building a MIME message with the stdlib costs milliseconds (header objects, folding, the
generator), and a digest goes to thousands of readers with the same subject and body. So
`MailTemplate` lets the stdlib build one message per payload - From, Subject, List-Id, the
multipart structure - with stand-ins where recipients differ, and then writes per recipient
only To, Date, Message-ID, List-Unsubscribe and the two base64 bodies with that recipient's
links filled in, exactly as the stdlib would have encoded them. Even there, the base64 of
everything before a body's first link is computed once: only the rest differs."""

from __future__ import annotations

import binascii
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid

from digestbot.channels.mail_headers import (
    POLICY,
    fold_at_spaces,
    from_header,
    list_id,
    list_unsubscribe,
)
from digestbot.payloads import EmailMessage, recipient_links
from digestbot.signup.tokens import preferences_link
from digestbot.unsubscribe_token import unsubscribe_link

# Headers written per recipient, in the stdlib's stand-in message; the rest are copied.
_PER_RECIPIENT = ("To", "Date", "Message-ID", "List-Unsubscribe")
_STAND_IN = {
    "To": "recipient@digestbot.invalid",
    "Date": "Thu, 01 Jan 1970 00:00:00 +0000",
    "Message-ID": "<stand-in@digestbot.invalid>",
    "List-Unsubscribe": "<https://digestbot.invalid/unsubscribe>",
}
_TEXT, _HTML = "text", "html"
_BODY_STAND_IN = {_TEXT: "digestbot text part stand-in", _HTML: "digestbot html part stand-in"}
_LINE = POLICY.linesep.encode("ascii")
# policy.max_line_length 78 → 57 bytes per base64 line of 76 characters (email.contentmanager).
_B64_CHUNK = (POLICY.max_line_length or 78) // 4 * 3
TEMPLATES_KEPT = 16  # payloads per channel: 3 variants x a few parts, with room to spare


def msgid_domain(from_addr: str) -> str:
    """The domain for Message-IDs: the sender's, so they look like the sender's own mail."""
    _, _, domain = from_addr.rpartition("@")
    return domain.strip(" >") or "digestbot.invalid"


def base64_body(text: str) -> bytes:
    """`text` as email.contentmanager encodes a utf-8 part with cte="base64": lines joined
    with CRLF (and one after the last), base64 in 76-character lines ending in CRLF."""
    return _base64_lines(_crlf_lines(text))


def _crlf_lines(text: str) -> bytes:
    return _LINE.join(text.encode("utf-8").splitlines()) + _LINE


def _base64_lines(data: bytes) -> bytes:
    return b"".join(
        binascii.b2a_base64(data[i : i + _B64_CHUNK], newline=False) + _LINE
        for i in range(0, len(data), _B64_CHUNK)
    )


Links = tuple[tuple[str, str], ...]  # (placeholder, this recipient's link), in order


class _Body:
    """One part's base64 body. Base64 lines hold 57 bytes each, so everything up to the last
    whole line before the first link placeholder is the same for every recipient: encoded
    once here, while `encode` fills in the links and encodes only the rest."""

    def __init__(self, text: str) -> None:
        data = _crlf_lines(text)
        at = [data.find(placeholder.encode()) for placeholder, _ in recipient_links("")]
        cut = min((i for i in at if i >= 0), default=len(data)) // _B64_CHUNK * _B64_CHUNK
        self._head = _base64_lines(data[:cut])
        self._tail = data[cut:]

    def encode(self, links: Links) -> bytes:
        tail = self._tail
        for placeholder, link in links:
            # Links are URLs: no line breaks, so filling them in before or after the CRLF
            # normalization gives the same bytes.
            tail = tail.replace(placeholder.encode(), link.encode("utf-8"))
        return self._head + _base64_lines(tail)


@dataclass(frozen=True, slots=True)
class BuiltMail:
    data: bytes  # the message as it goes over SMTP (CRLF line ends)
    message_id: str
    payload: EmailMessage
    links: Links  # what this recipient's link placeholders became (none: left as they were)

    @property
    def html(self) -> str:
        """The HTML part as this recipient gets it."""
        html = self.payload.html
        for placeholder, link in self.links:
            html = html.replace(placeholder, link)
        return html


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends and which links each recipient gets: the same for every message of a
    channel. `preferences_url` is the service's `/preferences` page (a signed link per
    recipient); links need `unsubscribe_secret` to be signed."""

    from_addr: str  # may carry a display name (`AI 前沿发展日报 <digest@example.org>`)
    unsubscribe_url: str | None = None
    unsubscribe_secret: str | None = None
    preferences_url: str | None = None

    def links(self, to_addr: str) -> tuple[str | None, str | None]:
        """(unsubscribe link, preferences link) for one recipient."""
        url, secret = self.unsubscribe_url, self.unsubscribe_secret
        link = unsubscribe_link(url, secret, to_addr) if url and secret else url or None
        preferences = None
        if self.preferences_url and secret:
            preferences = preferences_link(self.preferences_url, secret, to_addr)
        return link, preferences


class MailTemplate:
    """One payload's multipart/alternative message (text, then HTML - clients show the last
    part they understand) with Message-ID, Date, List-Id and RFC 8058 one-click unsubscribe
    headers, ready to be written for any recipient."""

    def __init__(self, payload: EmailMessage, sender: Sender) -> None:
        self.payload = payload
        self.sender = sender
        self._domain = msgid_domain(sender.from_addr)
        self._pieces = _pieces(_stand_in(payload, sender))
        self._bodies = {_TEXT: _Body(payload.text), _HTML: _Body(payload.html)}

    def build(self, to_addr: str, *, now: dt.datetime | None = None) -> BuiltMail:
        link, preferences = self.sender.links(to_addr)
        links = recipient_links(link, preferences) if link else ()
        message_id = make_msgid(domain=self._domain)
        date = format_datetime(now or dt.datetime.now(dt.UTC))
        fill = {
            "To": _header("To", to_addr),
            "Date": f"Date: {date}\r\n".encode("ascii"),
            "Message-ID": f"Message-ID: {message_id}\r\n".encode("ascii"),
            "List-Unsubscribe": (
                fold_at_spaces("List-Unsubscribe", list_unsubscribe(link)).encode("ascii")
                if link
                else b""
            ),
            _TEXT: self._bodies[_TEXT].encode(links),
            _HTML: self._bodies[_HTML].encode(links),
        }
        data = b"".join(p if isinstance(p, bytes) else fill[p] for p in self._pieces)
        return BuiltMail(data, message_id, self.payload, links)


class MailTemplates:
    """The templates of the payloads a channel sent last (one per variant and part)."""

    def __init__(self, sender: Sender, kept: int = TEMPLATES_KEPT) -> None:
        self.sender = sender
        self._kept = kept
        self._templates: OrderedDict[EmailMessage, MailTemplate] = OrderedDict()

    def build(self, payload: EmailMessage, to_addr: str) -> BuiltMail:
        template = self._templates.get(payload)
        if template is None:
            template = self._templates[payload] = MailTemplate(payload, self.sender)
            if len(self._templates) > self._kept:
                self._templates.popitem(last=False)
        return template.build(to_addr)


def build_email(payload: EmailMessage, sender: Sender, to_addr: str) -> BuiltMail:
    """One message, for one recipient (a channel sending many keeps `MailTemplates`)."""
    return MailTemplate(payload, sender).build(to_addr)


def _stand_in(payload: EmailMessage, sender: Sender) -> bytes:
    """The message the stdlib builds for a recipient-less stand-in."""
    msg = MimeMessage(policy=POLICY)
    msg["From"] = from_header(sender.from_addr)
    msg["To"] = _STAND_IN["To"]
    msg["Subject"] = payload.subject
    msg["Date"] = _STAND_IN["Date"]
    msg["Message-ID"] = _STAND_IN["Message-ID"]
    msg["List-Id"] = list_id(sender.from_addr)
    if sender.unsubscribe_url:
        msg["List-Unsubscribe"] = _STAND_IN["List-Unsubscribe"]
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # base64 for both parts: the stdlib would pick quoted-printable for a text part that
    # starts with ASCII lines, and CJK in quoted-printable takes 9 bytes a character, not 4.
    msg.set_content(_BODY_STAND_IN[_TEXT], subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(_BODY_STAND_IN[_HTML], subtype="html", charset="utf-8", cte="base64")
    return msg.as_bytes(policy=POLICY)


def _pieces(stand_in: bytes) -> list[bytes | str]:
    """`stand_in` cut into constant bytes and the names of what each recipient fills in."""
    head, _, body = stand_in.partition(_LINE + _LINE)
    pieces: list[bytes | str] = []
    for line in _header_lines(head + _LINE):
        name = line.split(b":", 1)[0].decode("ascii")
        pieces.append(name if name in _PER_RECIPIENT else line)
    pieces.append(_LINE)  # the blank line between the headers and the body
    for part in (_TEXT, _HTML):
        encoded = base64_body(_BODY_STAND_IN[part])
        before, found, body = body.partition(encoded)
        if not found:  # the stdlib changed how it encodes: fail loudly, never send garbage
            raise RuntimeError(f"cannot find the {part} body in the stdlib's message")
        pieces += [before, part]
    pieces.append(body)
    return pieces


def _header_lines(head: bytes) -> list[bytes]:
    """Each header with its continuation lines, CRLFs kept."""
    lines: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def _header(name: str, value: str) -> bytes:
    """`Name: value` as the stdlib would write it; a plain ASCII address needs no parsing."""
    if value.isascii() and value.isprintable() and " " not in value:
        return fold_at_spaces(name, value).encode("ascii")
    folded: str = POLICY.header_factory(name, value).fold(policy=POLICY)
    return folded.encode("ascii")


__all__ = [
    "POLICY",
    "BuiltMail",
    "MailTemplate",
    "MailTemplates",
    "Sender",
    "base64_body",
    "build_email",
    "msgid_domain",
]
