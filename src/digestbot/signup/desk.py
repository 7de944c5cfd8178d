"""Email sign-up with double opt-in, without HTTP: ask (a confirmation mail), confirm (the
subscriber is active), change the variant or leave. The server's routes call this.

Abuse rules live here: a per-client-IP limit, at most one confirmation mail per address per
`confirm_mail_every`, and the same answer whether an address is new, pending or subscribed
already (nobody learns who reads the report)."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from email_validator import EmailNotValidError, validate_email

from digestbot.channels.errors import ChannelError
from digestbot.model import Channel, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering.email import email_from_html
from digestbot.rendering.templating import render_named
from digestbot.signup.tokens import ConfirmClaim, LinkExpired, SignupTokens
from digestbot.store import SubscriberRow
from digestbot.web.pages import SitePages

log = logging.getLogger(__name__)

EMAIL = Channel.EMAIL
MAX_ADDRESS_CHARS = 254  # RFC 5321's path limit
VARIANT_LABELS = {
    Variant.TOP3.value: "三条结论（最短）",
    Variant.TOP5.value: "Top 5 精选（结论 + 五大事件）",
    Variant.FULL.value: "完整版（全部栏目）",
}
IP_WINDOW = dt.timedelta(hours=1)

MailSender = Callable[[str, EmailMessage], Awaitable[None]]


class SignupStore(Protocol):
    def take_signup_slot(self, key: str, window: dt.timedelta, limit: int) -> bool: ...
    def confirm_signup(
        self, nonce: str, expires_at: dt.datetime, channel: Channel, target: str, variant: Variant
    ) -> bool: ...
    def token_used(self, nonce: str) -> bool: ...
    def get_subscriber(self, channel: Channel, target: str) -> SubscriberRow | None: ...
    def subscribe(
        self, channel: Channel, target: str, variant: Variant, display_name: str | None = None
    ) -> bool: ...
    def set_variant(self, channel: Channel, target: str, variant: Variant) -> bool: ...


class Asked(enum.StrEnum):
    """What became of a sign-up request. MAILED and QUIET look the same to the asker."""

    MAILED = "mailed"
    QUIET = "quiet"  # honeypot filled, or this address had its mail recently: no mail
    INVALID_ADDRESS = "invalid_address"
    IP_LIMITED = "ip_limited"
    SEND_FAILED = "send_failed"


class Confirmed(enum.StrEnum):
    CONFIRMED = "confirmed"
    INVALID = "invalid"  # forged, altered or unreadable
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True)
class SignupSettings:
    base_url: str
    confirm_within: dt.timedelta = dt.timedelta(hours=48)
    confirm_mail_every: dt.timedelta = dt.timedelta(minutes=10)
    per_ip_per_hour: int = 5


def normalize_address(raw: str) -> str | None:
    """The address as it will be stored and mailed, or None when it is not one. No DNS
    lookups: a typo'd domain simply never confirms."""
    raw = raw.strip()
    if not raw or len(raw) > MAX_ADDRESS_CHARS:
        return None
    try:
        return str(validate_email(raw, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


class SignupDesk:
    def __init__(
        self,
        store: SignupStore,
        tokens: SignupTokens,
        pages: SitePages,
        send: MailSender,
        settings: SignupSettings,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.pages = pages
        self.send = send
        self.settings = settings

    # --- asking ---------------------------------------------------------------------------

    async def ask(self, address: str, variant: Variant, client_ip: str, honeypot: str) -> Asked:
        """`address` must come from `normalize_address`."""
        ip_key = self.tokens.limit_key("ip", client_ip)
        allowed = await asyncio.to_thread(
            self.store.take_signup_slot, ip_key, IP_WINDOW, self.settings.per_ip_per_hour
        )
        if not allowed:
            return Asked.IP_LIMITED
        if honeypot:
            return Asked.QUIET
        address_key = self.tokens.limit_key("address", address.lower())
        if not await asyncio.to_thread(
            self.store.take_signup_slot, address_key, self.settings.confirm_mail_every, 1
        ):
            return Asked.QUIET
        try:
            await self.send(address, self.confirmation_mail(address, variant))
        except ChannelError as exc:
            log.warning("sign-up confirmation mail not sent: %s", exc)
            return Asked.SEND_FAILED
        return Asked.MAILED

    def confirmation_mail(self, address: str, variant: Variant) -> EmailMessage:
        token = self.tokens.confirm_token(address, variant)
        context = {
            "site_name": self.pages.site_name,
            "address": address,
            "variant_label": VARIANT_LABELS[Variant(variant).value],
            "confirm_url": f"{self.settings.base_url.rstrip('/')}/confirm?t={token}",
            "hours": int(self.settings.confirm_within.total_seconds() // 3600),
        }
        subject = render_named(self.pages.env, "web/confirm_subject.txt.j2", context)
        html = render_named(self.pages.env, "web/confirm_email.html.j2", context)
        return email_from_html(subject, html)

    # --- confirming -----------------------------------------------------------------------

    def claim(self, token: str) -> tuple[Confirmed, ConfirmClaim | None]:
        """What a confirmation link says, without using it (the page before the button)."""
        try:
            claim = self.tokens.read_confirm(token, self.settings.confirm_within)
        except LinkExpired:
            return Confirmed.EXPIRED, None
        if claim is None:
            return Confirmed.INVALID, None
        if self.store.token_used(claim.nonce):
            return Confirmed.USED, claim
        return Confirmed.CONFIRMED, claim

    async def confirm(self, token: str) -> tuple[Confirmed, ConfirmClaim | None]:
        state, claim = await asyncio.to_thread(self.claim, token)
        if state is not Confirmed.CONFIRMED or claim is None:
            return state, claim
        used_now = await asyncio.to_thread(
            self.store.confirm_signup,
            claim.nonce,
            claim.expires_at,
            EMAIL,
            claim.address,
            claim.variant,
        )
        return (Confirmed.CONFIRMED if used_now else Confirmed.USED), claim

    # --- preferences ----------------------------------------------------------------------

    def subscriber(self, address: str) -> SubscriberRow | None:
        return self.store.get_subscriber(EMAIL, address)

    def save_variant(self, address: str, variant: Variant) -> None:
        """Change the variant; an address that left joins again (its link proves it reads
        that mailbox, which is what the confirmation mail would prove)."""
        row = self.subscriber(address)
        if row is None or not row.active:
            self.store.subscribe(EMAIL, address, variant)
        else:
            self.store.set_variant(EMAIL, address, variant)


__all__ = [
    "EMAIL",
    "VARIANT_LABELS",
    "Asked",
    "Confirmed",
    "MailSender",
    "SignupDesk",
    "SignupSettings",
    "SignupStore",
    "normalize_address",
]
