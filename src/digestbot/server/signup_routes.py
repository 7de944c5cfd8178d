"""`/subscribe`, `/confirm` and `/preferences`: the sign-up forms over `SignupDesk`.

Every form carries a CSRF token bound to a cookie nonce (double submit, SameSite=Lax), so
another site cannot post a form in a reader's name. GET never changes anything: mail
scanners open every link in a message, so confirming and leaving take a button (POST)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from digestbot.model import Variant
from digestbot.server.body import read_body_within
from digestbot.server.conditional import PUBLIC_HEADERS
from digestbot.server.metrics import Metrics
from digestbot.server.pages import PAGE_HEADERS
from digestbot.server.unsubscribe import unsubscribe_address
from digestbot.signup import VARIANT_LABELS, Asked, Confirmed, SignupDesk, normalize_address
from digestbot.store import Subscribers
from digestbot.web import PageLinks

CSRF_COOKIE = "digestbot_csrf"
# Tokens ride in these pages' URLs: never cached, never sent on as a Referer, never indexed;
# the site's own CSP (the layout's inline styles and its empty data: icon).
HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": PUBLIC_HEADERS["Content-Security-Policy"],
}
MAX_FORM_BYTES = 8 * 1024
DEFAULT_VARIANT = Variant.TOP5
ASKED_TEXT = [
    "如果这个地址可以订阅，几分钟内会收到一封确认邮件；点开其中的链接即完成订阅。",
    "没有收到？看看垃圾邮件文件夹；十分钟后可以再提交一次。",
]


class SignupRoutes:
    def __init__(
        self, desk: SignupDesk, subscribers: Subscribers, metrics: Metrics, secure_cookie: bool
    ) -> None:
        self.desk = desk
        self.subscribers = subscribers
        self.metrics = metrics
        self.secure_cookie = secure_cookie

    # --- plumbing -------------------------------------------------------------------------

    def _links(self, here: str) -> PageLinks:
        return PageLinks(here, "served", self.desk.settings.base_url, signup=True)

    def _browser_nonce(self, request: Request) -> tuple[str, bool]:
        """The cookie's nonce, or a new one (True: set the cookie on the response)."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if nonce and 16 <= len(nonce) <= 64:
            return nonce, False
        return self.desk.tokens.new_browser_nonce(), True

    def _page(
        self, request: Request, template: str, title: str, status: int = 200, **context: object
    ) -> Response:
        nonce, fresh = self._browser_nonce(request)
        here = request.url.path.lstrip("/")
        html = self.desk.pages.render_form(
            template,
            self._links(here),
            title,
            csrf=self.desk.tokens.csrf_token(nonce),
            variants=VARIANT_LABELS,
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        if fresh:
            response.set_cookie(
                CSRF_COOKIE,
                nonce,
                httponly=True,
                samesite="lax",
                secure=self.secure_cookie,
                max_age=7 * 24 * 3600,
            )
        return response

    def _notice(
        self, request: Request, title: str, paragraphs: list[str], status: int = 200
    ) -> Response:
        here = request.url.path.lstrip("/")
        html = self.desk.pages.notice(
            title,
            paragraphs,
            self._links(here),
            action={"href": self._links(here).home, "label": "返回最新一期"},
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The urlencoded form with a valid CSRF token, else None."""
        body = await read_body_within(request, MAX_FORM_BYTES)
        if body is None:
            return None
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        form = {name: values[0] for name, values in fields.items()}
        if not self.desk.tokens.csrf_ok(form.get("csrf"), request.cookies.get(CSRF_COOKIE)):
            self.metrics.record_signup("csrf_refused")
            return None
        return form

    def _stale_form(self, request: Request) -> Response:
        return self._notice(
            request,
            "表单已失效",
            ["这个表单已过期或不是从本站提交的，请重新打开页面再提交。"],
            status=403,
        )

    # --- /subscribe -------------------------------------------------------------------------

    async def subscribe_form(self, request: Request) -> Response:
        variant = request.query_params.get("variant", DEFAULT_VARIANT.value)
        if variant not in VARIANT_LABELS:
            variant = DEFAULT_VARIANT.value
        return self._page(
            request, "web/subscribe.html.j2", "邮件订阅", address="", variant=variant, error=None
        )

    async def subscribe(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._stale_form(request)
        variant = form.get("variant", "")
        address = normalize_address(form.get("address", ""))
        if address is None or variant not in VARIANT_LABELS:
            self.metrics.record_signup(Asked.INVALID_ADDRESS.value)
            error = "请填写有效的邮箱地址。" if address is None else "请选择一种内容长度。"
            return self._page(
                request,
                "web/subscribe.html.j2",
                "邮件订阅",
                status=400,
                address=form.get("address", "")[:254],
                variant=variant if variant in VARIANT_LABELS else DEFAULT_VARIANT.value,
                error=error,
            )
        client = request.client.host if request.client else "unknown"
        asked = await self.desk.ask(address, Variant(variant), client, form.get("website", ""))
        self.metrics.record_signup(asked.value)
        if asked is Asked.IP_LIMITED:
            return self._notice(
                request, "请求太频繁", ["来自你网络的订阅请求太多，请一小时后再试。"], 429
            )
        if asked is Asked.SEND_FAILED:
            return self._notice(
                request, "暂时无法发送", ["确认邮件暂时发不出去，请稍后再试。"], 503
            )
        return self._notice(request, "请查收确认邮件", ASKED_TEXT)  # MAILED and QUIET alike

    # --- /confirm ---------------------------------------------------------------------------

    def _refused(self, request: Request, state: Confirmed) -> Response:
        self.metrics.record_signup(f"confirm_{state.value}")
        texts = {
            Confirmed.EXPIRED: ("链接已过期", "这个确认链接已过期，请重新订阅一次。", 410),
            Confirmed.USED: ("链接已使用", "这个确认链接已经用过了，无需再次确认。", 409),
        }
        title, text, status = texts.get(
            state, ("链接无效", "这个确认链接无效或已被修改，未做任何更改。", 400)
        )
        return self._notice(request, title, [text], status)

    async def confirm_page(self, request: Request) -> Response:
        token = request.query_params.get("t", "")
        state, claim = await asyncio.to_thread(self.desk.claim, token)
        if state is not Confirmed.CONFIRMED or claim is None:
            return self._refused(request, state)
        return self._page(
            request,
            "web/confirm.html.j2",
            "确认订阅",
            address=claim.address,
            variant_label=VARIANT_LABELS[claim.variant.value],
            token=token,
        )

    async def confirm(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._stale_form(request)
        state, claim = await self.desk.confirm(form.get("t", ""))
        if state is not Confirmed.CONFIRMED or claim is None:
            return self._refused(request, state)
        self.metrics.record_signup("confirmed")
        return self._notice(
            request,
            "订阅成功",
            [
                f"{claim.address} 已订阅，从下一期开始每期收到："
                f"{VARIANT_LABELS[claim.variant.value]}。",
                "每封邮件底部都有“管理订阅”和“退订”链接。",
            ],
        )

    # --- /preferences -----------------------------------------------------------------------

    async def _preferences(
        self, request: Request, token: str, saved: str | None = None
    ) -> Response:
        address = self.desk.tokens.read_preferences(token)
        if address is None:
            self.metrics.record_signup("preferences_invalid")
            return self._notice(
                request, "链接无效", ["这个链接无效或已被修改，未做任何更改。"], 400
            )
        row = await asyncio.to_thread(self.desk.subscriber, address)
        active = row is not None and row.active
        variant = row.variant.value if row is not None else DEFAULT_VARIANT.value
        return self._page(
            request,
            "web/preferences.html.j2",
            "订阅设置",
            address=address,
            active=active,
            variant=variant,
            token=token,
            saved=saved,
        )

    async def preferences_page(self, request: Request) -> Response:
        return await self._preferences(request, request.query_params.get("t", ""))

    async def preferences(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._stale_form(request)
        token = form.get("t", "")
        address = self.desk.tokens.read_preferences(token)
        if address is None:
            return await self._preferences(request, token)
        if form.get("action") == "unsubscribe":
            await asyncio.to_thread(unsubscribe_address, self.subscribers, address)
            self.metrics.record_signup("preferences_unsubscribed")
            return await self._preferences(request, token, saved="已退订，今后不会再收到日报。")
        variant = form.get("variant", "")
        if variant not in VARIANT_LABELS:
            return await self._preferences(request, token, saved="请选择一种内容长度。")
        await asyncio.to_thread(self.desk.save_variant, address, Variant(variant))
        self.metrics.record_signup("preferences_saved")
        return await self._preferences(
            request, token, saved=f"已保存：今后收到{VARIANT_LABELS[variant]}。"
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/subscribe", self.subscribe_form, methods=["GET"]),
            Route("/subscribe", self.subscribe, methods=["POST"]),
            Route("/confirm", self.confirm_page, methods=["GET"]),
            Route("/confirm", self.confirm, methods=["POST"]),
            Route("/preferences", self.preferences_page, methods=["GET"]),
            Route("/preferences", self.preferences, methods=["POST"]),
        ]


__all__ = ["CSRF_COOKIE", "SignupRoutes"]
