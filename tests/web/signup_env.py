"""The sign-up desk on the real app, a real SMTP fake (aiosmtpd) behind the real EmailChannel,
a SQLite store and one movable clock for the tokens and the limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from digestbot.channels import EmailChannel
from digestbot.rendering import Renderer
from digestbot.server import Metrics, build_app
from digestbot.signup import SignupDesk, SignupSettings, SignupTokens
from digestbot.signup.wiring import channel_mailer
from digestbot.store import Store, open_store
from digestbot.web import IssueCatalog, Site, SitePages
from tests.fakes.smtp_server import ReceivedMail, SmtpFake
from tests.server.harness import FixedIssues

BASE = "https://digest.example.org"
SECRET = "signup-and-unsubscribe-secret-for-tests"
CONFIRM_LINK = re.compile(r"https://digest\.example\.org/confirm\?t=[A-Za-z0-9_.\-]+")


@dataclass
class Clock:
    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 4, 20, 1, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class SignupEnv:
    store: Store
    smtp: SmtpFake
    clock: Clock
    desk: SignupDesk
    metrics: Metrics

    def client(self, ip: str = "203.0.113.7") -> httpx.AsyncClient:
        app = build_app(
            store=self.store,
            renderer=Renderer(),
            issues=FixedIssues(None),
            slack_signing_secret=None,
            unsubscribe_secret=SECRET,
            metrics=self.metrics,
            site=Site(IssueCatalog(self.store), self.desk.pages, base_url=BASE, signup=True),
            signup=self.desk,
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 50000)), base_url=BASE
        )

    def mails_to(self, address: str) -> list[ReceivedMail]:
        return self.smtp.messages_to(address)

    def active(self, address: str) -> bool:
        row = self.store.get_subscriber("email", address)
        return row is not None and row.active


def hidden(html: str, name: str) -> str:
    field_ = BeautifulSoup(html, "html.parser").find("input", attrs={"name": name})
    assert field_ is not None, f"no {name} field"
    return str(field_["value"])


async def ask(
    client: httpx.AsyncClient, address: str, variant: str = "top5", website: str = ""
) -> httpx.Response:
    """Open the form (which sets the CSRF cookie) and submit it."""
    form = await client.get("/subscribe")
    data = {"csrf": hidden(form.text, "csrf"), "address": address, "variant": variant}
    data["website"] = website
    return await client.post("/subscribe", data=data)


def confirm_link(mail: ReceivedMail) -> str:
    body = mail.parsed.get_body(("plain",))
    assert body is not None
    found = CONFIRM_LINK.findall(str(body.get_content()))
    assert found, "no confirmation link in the mail"
    return str(found[0])


async def confirm(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the link and press the button, as a reader does."""
    page = await client.get(link)
    if page.status_code != 200:
        return page
    return await client.post(
        link, data={"csrf": hidden(page.text, "csrf"), "t": hidden(page.text, "t")}
    )


@pytest.fixture
def signup_env(tmp_path: Path) -> Iterator[SignupEnv]:
    clock = Clock()
    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock)
    with SmtpFake() as smtp:
        desk = SignupDesk(
            store,
            SignupTokens(SECRET, clock=clock.epoch),
            SitePages(),
            channel_mailer(
                lambda: EmailChannel(
                    smtp.host, smtp.port, from_addr="digest@example.org", security="none"
                )
            ),
            SignupSettings(base_url=BASE),
        )
        yield SignupEnv(store, smtp, clock, desk, Metrics())
    store.close()


__all__ = ["BASE", "SECRET", "Clock", "SignupEnv", "ask", "confirm", "confirm_link", "hidden"]
