"""The email unsubscribe link: `GET /unsubscribe?t=…` asks, `POST` acts.

GET never changes anything, because mail scanners and link previews fetch every URL in a
message; only a POST (the confirm button, or a mail client's RFC 8058 one-click POST with the
body `List-Unsubscribe=One-Click`) deactivates the address. The token is the delivery's HMAC,
so a forged or altered one names nobody and changes nothing."""

from __future__ import annotations

import asyncio
import logging
from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from digestbot.model import Channel, Variant
from digestbot.server.body import read_body_within
from digestbot.server.metrics import Metrics
from digestbot.server.pages import confirm_form, page
from digestbot.store import Subscribers
from digestbot.unsubscribe_token import verify_unsubscribe_token

log = logging.getLogger(__name__)

REASON = "unsubscribed (email link)"
MAX_FORM_BYTES = 8 * 1024


def unsubscribe_address(subscribers: Subscribers, address: str) -> bool:
    """Deactivate `address`; True when this call did it, False when it was already inactive.

    A static config address has no subscriber row; the publisher skips a static target only
    when an inactive row names it, so one is created (join, then leave at once). A concurrent
    second request still reports "already", because only one `deactivate` can flip the row."""
    if subscribers.get_subscriber(Channel.EMAIL, address) is None:
        subscribers.subscribe(Channel.EMAIL, address, Variant.TOP5)
    return subscribers.deactivate(Channel.EMAIL, address, REASON)


def _invalid() -> Response:
    return page(
        "链接无效 / Invalid link",
        [
            (
                "此退订链接无效或已被修改，未做任何更改。",
                "This unsubscribe link is invalid or was altered; nothing was changed.",
            )
        ],
        status=400,
    )


def _not_configured() -> Response:
    return page(
        "暂不可用 / Unavailable",
        [("退订功能尚未配置。", "Unsubscribe links are not configured on this server.")],
        status=503,
    )


async def _form_token(request: Request) -> str | None:
    """`t` from an urlencoded form body, if there is one. A one-click POST may be
    multipart/form-data (RFC 8058 allows both); its token is in the URL, so its body is not
    needed and is not parsed."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return None
    body = await read_body_within(request, MAX_FORM_BYTES)
    if body is None:
        return None
    values = parse_qs(body.decode("utf-8", errors="replace")).get("t")
    return values[0] if values else None


class UnsubscribePages:
    def __init__(self, *, subscribers: Subscribers, secret: str | None, metrics: Metrics) -> None:
        self.subscribers = subscribers
        self.secret = secret
        self.metrics = metrics
        if not secret:
            log.warning("email.unsubscribe_secret is not set: /unsubscribe answers 503")

    def _address(self, token: str | None) -> str | None:
        if not token or not self.secret:
            return None
        return verify_unsubscribe_token(self.secret, token)

    async def confirm(self, request: Request) -> Response:
        if not self.secret:
            return _not_configured()
        token = request.query_params.get("t")
        address = self._address(token)
        if address is None or token is None:
            self.metrics.record_unsubscribe("invalid")
            return _invalid()
        shown = escape(address)
        return page(
            "退订确认 / Confirm unsubscribe",
            [
                (
                    f"确认不再向 <strong>{shown}</strong> 发送《AI 前沿发展日报》？",
                    f"Stop sending the daily AI digest to <strong>{shown}</strong>?",
                )
            ],
            form=confirm_form(token),
        )

    async def unsubscribe(self, request: Request) -> Response:
        if not self.secret:
            return _not_configured()
        token = await _form_token(request) or request.query_params.get("t")
        address = self._address(token)
        if address is None:
            self.metrics.record_unsubscribe("invalid")
            log.info("unsubscribe refused: invalid or altered token")
            return _invalid()
        changed = await asyncio.to_thread(unsubscribe_address, self.subscribers, address)
        self.metrics.record_unsubscribe("done" if changed else "already")
        shown = escape(address)
        if changed:
            log.info("email subscriber unsubscribed via link")  # no address: logs outlive consent
            return page(
                "已退订 / Unsubscribed",
                [
                    (
                        f"<strong>{shown}</strong> 已退订，今后不会再收到日报。",
                        f"<strong>{shown}</strong> is unsubscribed and will get no more digests.",
                    )
                ],
            )
        return page(
            "已退订 / Already unsubscribed",
            [
                (
                    f"<strong>{shown}</strong> 此前已退订，未做更改。",
                    f"<strong>{shown}</strong> was already unsubscribed; nothing changed.",
                )
            ],
        )


__all__ = ["REASON", "UnsubscribePages", "unsubscribe_address"]
