"""A long issue's email stays under 100 KB measured on the wire (issue 9 point 8).

Gmail clips a message past ~102 KB. The size that matters is the encoded MIME message the
SMTP server receives - headers, base64 bodies, the recipient's unsubscribe link - not the
HTML string. An issue too long for that steps down to a shorter form that says so at its top
and links to the issue's web page.
"""

from __future__ import annotations

import pytest

from digestbot.channels import EmailChannel
from digestbot.model import Issue, Variant
from digestbot.parsing import parse_issue
from digestbot.rendering import Renderer
from tests.conftest import FIXTURES_DIR
from tests.fakes.smtp_server import ReceivedMail, SmtpFake
from tests.rendering.builders import synthetic_issue

LIMIT = 100_000
SITE = "https://digest.example.org"
PAGE = f"{SITE}/issues/2026-06-01"
# The longest address a subscriber can have: the longest unsubscribe token with it.
LONGEST = f"{'r' * 64}@{'sub.' * 46}example.org"


def hostile(scale: int) -> Issue:
    """tests/fixtures/issues/hostile.txt (~15 KB of text), every paragraph `scale` times."""
    path = FIXTURES_DIR / "issues" / "hostile.txt"
    issue = parse_issue(path.read_bytes(), filename=path.name)
    return synthetic_issue(scale, issue) if scale > 1 else issue


async def _send_full(fake: SmtpFake, issue: Issue, renderer: Renderer) -> ReceivedMail:
    channel = EmailChannel(
        fake.host,
        fake.port,
        from_addr="AI 前沿发展日报 <digest@example.org>",
        security="none",
        unsubscribe_url=f"https://digest.example.org/{'u' * 473}",  # the longest allowed
        unsubscribe_secret="unsubscribe-hmac-secret-for-tests",
        preferences_url=f"https://digest.example.org/{'p' * 400}/preferences",
    )
    try:
        await channel.send(LONGEST, renderer.email(issue, Variant.FULL))
    finally:
        await channel.close()
    return fake.messages[-1]


def _html(mail: ReceivedMail) -> str:
    html = mail.parsed.get_body(("html",))
    assert html is not None
    return str(html.get_content())  # type: ignore[attr-defined]


@pytest.mark.parametrize("scale", [1, 2, 3, 8], ids=["15KB", "30KB", "45KB", "120KB"])
async def test_the_full_email_of_a_long_issue_stays_under_100_kb_on_the_wire(
    smtp_fake: SmtpFake, scale: int
) -> None:
    mail = await _send_full(smtp_fake, hostile(scale), Renderer(site_base_url=SITE))

    assert len(mail.content) < LIMIT, f"{len(mail.content)} bytes"


async def test_a_full_email_that_fits_keeps_every_section(smtp_fake: SmtpFake) -> None:
    mail = await _send_full(smtp_fake, hostile(1), Renderer(site_base_url=SITE))

    html = _html(mail)
    assert "前沿研究速递" in html and "商业与应用解读" in html
    assert "篇幅较长" not in html


@pytest.mark.parametrize("site", [SITE, ""], ids=["with-site", "without-site"])
async def test_a_full_email_too_long_steps_down_and_says_so(smtp_fake: SmtpFake, site: str) -> None:
    issue = hostile(3)
    mail = await _send_full(smtp_fake, issue, Renderer(site_base_url=site))

    html = _html(mail)
    assert "本期日报篇幅较长，这封邮件只收录了今日结论与五大事件" in html
    assert html.count("<h3") == len(issue.events)  # every event card, nothing after them
    assert "前沿研究速递" not in html
    assert (f'<a href="{PAGE}"' in html) is bool(site)
    assert "Top 5" in str(mail.parsed["Subject"])  # the subject says what the mail holds


async def test_both_bodies_travel_base64_not_quoted_printable(smtp_fake: SmtpFake) -> None:
    mail = await _send_full(smtp_fake, hostile(1), Renderer())

    encodings = [part["Content-Transfer-Encoding"] for part in mail.parsed.iter_parts()]
    assert encodings == ["base64", "base64"]
