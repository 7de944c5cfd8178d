"""From the config to a working sign-up desk: the secret, the limits, and confirmation mail
through the configured email channel (SMTP or the outbox) — the same code that sends digests."""

from __future__ import annotations

from collections.abc import Callable

from digestbot.channels.base import ChannelClient
from digestbot.config import Config, EmailConfig, reveal
from digestbot.delivery.wiring import build_channel
from digestbot.model import Channel
from digestbot.payloads import EmailMessage
from digestbot.signup.desk import MailSender, SignupDesk, SignupSettings, SignupStore
from digestbot.signup.tokens import SignupTokens
from digestbot.web.pages import SitePages


def channel_mailer(make_channel: Callable[[], ChannelClient]) -> MailSender:
    """Send one message over a connection of its own (sign-ups are rare; a digest run's
    connection is never shared with them)."""

    async def send(address: str, message: EmailMessage) -> None:
        channel = make_channel()
        try:
            await channel.open()
            await channel.send(address, message)
        finally:
            await channel.close()

    return send


def signup_desk(config: Config, store: SignupStore, pages: SitePages) -> SignupDesk | None:
    """The desk, or None when sign-up is off or cannot work (see Config.signup_available)."""
    email = config.channel(Channel.EMAIL)
    if not config.signup_available() or not isinstance(email, EmailConfig):
        return None
    secret = reveal(email.unsubscribe_secret)
    assert secret  # signup_available checked it
    site = config.site
    return SignupDesk(
        store,
        SignupTokens(secret),
        pages,
        channel_mailer(lambda: build_channel(config, Channel.EMAIL)),
        SignupSettings(
            base_url=site.base_url,
            confirm_within=site.confirm_within,
            confirm_mail_every=site.confirm_mail_every,
            per_ip_per_hour=site.signups_per_ip_per_hour,
        ),
    )


__all__ = ["channel_mailer", "signup_desk"]
