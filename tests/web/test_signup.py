"""Email sign-up with double opt-in over HTTP: the mail on the SMTP fake, the single-use
expiring link, the abuse limits, CSRF, the honeypot and answers that reveal nobody."""

from __future__ import annotations

import base64
import json

from digestbot.model import Variant
from digestbot.signup import SignupTokens
from tests.web.signup_env import (
    SECRET,
    SignupEnv,
    ask,
    confirm,
    confirm_link,
    hidden,
)

READER = "reader@example.org"


async def test_ask_mail_open_confirm_makes_an_active_subscriber(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        asked = await ask(client, READER, variant="full")
        assert asked.status_code == 200 and "请查收确认邮件" in asked.text
        (mail,) = signup_env.mails_to(READER)
        assert not signup_env.active(READER), "nothing before the link is used"
        link = confirm_link(mail)
        page = await client.get(link)
        assert page.status_code == 200 and READER in page.text and "<button" in page.text
        assert not signup_env.active(READER), "opening the link (a mail scanner) changes nothing"
        done = await confirm(client, link)
    assert done.status_code == 200 and "订阅成功" in done.text
    row = signup_env.store.get_subscriber("email", READER)
    assert row is not None and row.active and row.variant is Variant.FULL


async def test_the_confirmation_mail_on_the_wire(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        await ask(client, READER)
    (mail,) = signup_env.mails_to(READER)
    assert mail.rcpt_tos == [READER]
    raw = mail.content
    assert b"\r\nSubject: =?utf-8?" in raw, "CJK subject as RFC 2047 encoded-words"
    assert b"Content-Type: multipart/alternative" in raw
    assert mail.parsed["Subject"] == "请确认订阅《AI 前沿发展日报》"
    html = mail.parsed.get_body(("html",))
    assert html is not None and confirm_link(mail) in str(html.get_content())


async def test_a_used_link_is_refused_and_changes_nothing(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        await ask(client, READER, variant="full")
        link = confirm_link(signup_env.mails_to(READER)[0])
        assert (await confirm(client, link)).status_code == 200
        signup_env.store.set_variant("email", READER, Variant.TOP3)
        signup_env.store.deactivate("email", READER, "unsubscribed")
        before = signup_env.store.get_subscriber("email", READER)
        again = await confirm(client, link)
        page = await client.get(link)
    assert again.status_code == 409 and "已经用过" in again.text
    assert page.status_code == 409
    assert signup_env.store.get_subscriber("email", READER) == before


def _tampered(token: str) -> dict[str, str]:
    payload, stamp, mac = token.split(".")
    other = base64.urlsafe_b64encode(
        json.dumps({"a": "victim@example.org", "v": "full", "n": "x"}).encode()
    ).rstrip(b"=")
    return {
        "signature altered": f"{payload}.{stamp}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}",
        "address swapped, signature kept": f"{other.decode()}.{stamp}.{mac}",
        "made with another secret": SignupTokens("another-secret").confirm_token(
            READER, Variant.TOP5
        ),
        "a preferences link instead": SignupTokens(SECRET).preferences_token(READER),
        "truncated": token[:20],
        "empty": "",
    }


async def test_tampered_links_are_refused_and_change_nothing(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        await ask(client, READER)
        token = confirm_link(signup_env.mails_to(READER)[0]).split("t=")[1]
        form = await client.get("/subscribe")
        csrf = hidden(form.text, "csrf")
        for name, bad in _tampered(token).items():
            page = await client.get("/confirm", params={"t": bad})
            posted = await client.post("/confirm", data={"csrf": csrf, "t": bad})
            assert page.status_code == 400, name
            assert posted.status_code == 400 and "链接无效" in posted.text, name
    assert signup_env.store.get_subscriber("email", READER) is None
    assert signup_env.store.get_subscriber("email", "victim@example.org") is None


async def test_an_expired_link_is_refused_and_changes_nothing(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        await ask(client, READER)
        link = confirm_link(signup_env.mails_to(READER)[0])
        signup_env.clock.advance(hours=47, minutes=59)
        page = await client.get(link)
        assert page.status_code == 200, "still valid just before 48 h"
        csrf, token = hidden(page.text, "csrf"), hidden(page.text, "t")
        signup_env.clock.advance(minutes=1, seconds=1)
        expired = await client.post(link, data={"csrf": csrf, "t": token})
    assert expired.status_code == 410 and "已过期" in expired.text
    assert signup_env.store.get_subscriber("email", READER) is None


async def test_one_confirmation_mail_per_address_per_ten_minutes(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        answers = [(await ask(client, READER)).text for _ in range(3)]
        assert len(signup_env.mails_to(READER)) == 1
        signup_env.clock.advance(minutes=9, seconds=59)
        answers.append((await ask(client, READER.upper().replace("EXAMPLE", "example"))).text)
        assert len(signup_env.mails_to(READER)) == 1, "case does not make a new address"
        signup_env.clock.advance(seconds=1)
        answers.append((await ask(client, READER)).text)
    assert len(signup_env.mails_to(READER)) == 2
    assert len(set(answers)) == 1, "the limited answer looks exactly like the mailed one"


async def test_the_per_ip_limit_holds_and_other_clients_are_not_affected(
    signup_env: SignupEnv,
) -> None:
    async with signup_env.client(ip="198.51.100.1") as busy:
        codes = [(await ask(busy, f"r{n}@example.org")).status_code for n in range(7)]
    async with signup_env.client(ip="198.51.100.2") as other:
        elsewhere = await ask(other, "r9@example.org")
    assert codes == [200] * 5 + [429] * 2
    assert len(signup_env.smtp.messages) == 6
    assert elsewhere.status_code == 200 and signup_env.mails_to("r9@example.org")
    signup_env.clock.advance(hours=1)
    async with signup_env.client(ip="198.51.100.1") as busy:
        assert (await ask(busy, "r7@example.org")).status_code == 200


async def test_a_filled_honeypot_gets_the_same_answer_and_no_mail(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        bot = await ask(client, "bot@example.org", website="http://spam.example")
        person = await ask(client, READER)
    assert bot.text == person.text
    assert signup_env.mails_to("bot@example.org") == [] and len(signup_env.mails_to(READER)) == 1


async def test_known_and_unknown_addresses_get_the_same_answer(signup_env: SignupEnv) -> None:
    signup_env.store.subscribe("email", "known@example.org", Variant.TOP5)
    async with signup_env.client() as client:
        known = await ask(client, "known@example.org")
        unknown = await ask(client, "unknown@example.org")
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert known.headers.keys() == unknown.headers.keys()


async def test_a_form_without_a_matching_csrf_token_is_refused(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        form = await client.get("/subscribe")
        csrf = hidden(form.text, "csrf")
        missing = await client.post("/subscribe", data={"address": READER, "variant": "top5"})
        forged = await client.post(
            "/subscribe", data={"csrf": csrf[:-3] + "abc", "address": READER, "variant": "top5"}
        )
    async with signup_env.client() as other_browser:  # no cookie: a cross-site post
        replayed = await other_browser.post(
            "/subscribe", data={"csrf": csrf, "address": READER, "variant": "top5"}
        )
    assert [r.status_code for r in (missing, forged, replayed)] == [403, 403, 403]
    assert signup_env.smtp.messages == []


async def test_invalid_addresses_are_named_and_nothing_is_sent(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        for bad in ("not-an-address", "a@b", "x" * 250 + "@example.org", "a b@example.org"):
            response = await ask(client, bad)
            assert response.status_code == 400 and "有效的邮箱地址" in response.text, bad
    assert signup_env.smtp.messages == []


async def test_the_form_page_is_private_and_sets_a_strict_cookie(signup_env: SignupEnv) -> None:
    async with signup_env.client() as client:
        form = await client.get("/subscribe")
    cookie = form.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert form.headers["cache-control"] == "no-store"
    assert 'name="website"' in form.text and 'tabindex="-1"' in form.text
