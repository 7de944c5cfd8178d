"""A digest email written per recipient from a template is the message the stdlib would have
built for that recipient alone, byte for byte: same headers, same base64 bodies, that
recipient's own signed links and nobody else's."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage as MimeMessage
from email.parser import BytesParser

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.channels.email_build import POLICY, MailTemplate, MailTemplates, Sender
from digestbot.channels.mail_headers import from_header, list_id, list_unsubscribe
from digestbot.payloads import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, EmailMessage
from digestbot.signup.tokens import preferences_link
from digestbot.unsubscribe_token import unsubscribe_link, verify_unsubscribe_token

SECRET = "unsubscribe-hmac-secret-for-tests"
SENDER = Sender(
    "AI 前沿发展日报 <digest@example.org>",
    "https://digest.example.org/unsubscribe",
    SECRET,
    "https://digest.example.org/preferences",
)
NOW = dt.datetime(2026, 4, 20, 8, 30, tzinfo=dt.UTC)


def stdlib_message(payload: EmailMessage, to: str, message_id: str, boundary: str) -> bytes:
    """How the whole message used to be built for each recipient, all by the stdlib."""
    assert SENDER.unsubscribe_url and SENDER.preferences_url
    link = unsubscribe_link(SENDER.unsubscribe_url, SECRET, to)
    body = payload.for_recipient(link, preferences_link(SENDER.preferences_url, SECRET, to))
    msg = MimeMessage(policy=POLICY)
    msg["From"] = from_header(SENDER.from_addr)
    msg["To"] = to
    msg["Subject"] = payload.subject
    msg["Date"] = email.utils.format_datetime(NOW)
    msg["Message-ID"] = message_id
    msg["List-Id"] = list_id(SENDER.from_addr)
    msg["List-Unsubscribe"] = list_unsubscribe(link)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(body.text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(body.html, subtype="html", charset="utf-8", cte="base64")
    msg.set_boundary(boundary)
    return msg.as_bytes(policy=POLICY)


def boundary_of(data: bytes) -> str:
    parsed = BytesParser(policy=email.policy.default).parsebytes(data)
    boundary = parsed.get_boundary()
    assert boundary is not None
    return boundary


text_lines = st.lists(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
        max_size=120,
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80),
    text=text_lines,
    html=text_lines,
    local=st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,30}", fullmatch=True),
)
def test_each_recipients_bytes_are_what_the_stdlib_builds_for_them(
    subject: str, text: list[str], html: list[str], local: str
) -> None:
    payload = EmailMessage(
        subject=subject.strip() or "x",
        text="\n".join([*text, f"退订 {UNSUBSCRIBE_PLACEHOLDER}"]),
        html="\r\n".join([*html, f'<a href="{PREFERENCES_PLACEHOLDER}">偏好</a>']),
    )
    to = f"{local}@example.org"

    built = MailTemplate(payload, SENDER).build(to, now=NOW)

    expected = stdlib_message(payload, to, built.message_id, boundary_of(built.data))
    assert built.data == expected


def test_one_template_serves_many_recipients_each_with_only_their_own_links() -> None:
    payload = EmailMessage(
        subject="AI 前沿发展日报 · 2026-04-20",
        text=f"今日三条结论\n退订: {UNSUBSCRIBE_PLACEHOLDER}\n",
        html=f'<p>推理成本下降</p><a href="{UNSUBSCRIBE_PLACEHOLDER}">退订</a>',
    )
    templates = MailTemplates(SENDER)
    readers = [f"reader{n}@example.org" for n in range(3)]

    mails = [templates.build(payload, to) for to in readers]

    assert len({m.message_id for m in mails}) == 3
    for to, mail in zip(readers, mails, strict=True):
        parsed = BytesParser(policy=email.policy.default).parsebytes(mail.data)
        assert parsed["To"] == to
        header = str(parsed["List-Unsubscribe"]).strip("<>")
        token = header.partition("t=")[2]
        assert verify_unsubscribe_token(SECRET, token) == to
        text, html = (part.get_content() for part in parsed.iter_parts())
        assert header in text and header in html.replace("&amp;", "&")
        assert all(other == to or other not in mail.data.decode() for other in readers)


def test_a_non_ascii_address_is_written_by_the_stdlib() -> None:
    payload = EmailMessage(subject="s", text="t", html="<p>h</p>")

    built = MailTemplate(payload, Sender("d@example.org")).build("读者@example.org", now=NOW)

    parsed = BytesParser(policy=email.policy.default).parsebytes(built.data)
    assert parsed["To"] == "读者@example.org"
    assert parsed["List-Unsubscribe"] is None, "no unsubscribe_url: no header"
