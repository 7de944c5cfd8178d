"""The one HTTP server: Slack slash command, unsubscribe pages, readers' web, health, metrics."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from digestbot.bot.commands import IssueProvider
from digestbot.channels.redact import install_redaction
from digestbot.model import Variant
from digestbot.rendering import Renderer
from digestbot.server.background import BackgroundWork
from digestbot.server.health import (
    HealthCheck,
    Heartbeat,
    healthz_endpoint,
    metrics_endpoint,
    store_health,
)
from digestbot.server.metrics import Metrics
from digestbot.server.signup_routes import SignupRoutes
from digestbot.server.site_routes import SiteRoutes
from digestbot.server.slack_commands import SlashCommands, SlashSettings
from digestbot.server.slack_replies import ResponseType
from digestbot.server.unsubscribe import UnsubscribePages
from digestbot.signup import SignupDesk
from digestbot.store import Health, Subscribers
from digestbot.web import Site


class AppStore(Subscribers, Health, Protocol):
    """What the HTTP side asks of the store: readers who leave or join, and "are you up"."""


def build_app(
    *,
    store: AppStore,
    renderer: Renderer,
    issues: IssueProvider,
    slack_signing_secret: str | None,
    slack_response_type: ResponseType = "ephemeral",
    unsubscribe_secret: str | None,
    metrics: Metrics,
    clock: Callable[[], float] = time.time,
    today: Callable[[], dt.date] = dt.date.today,
    health: HealthCheck | None = None,
    heartbeat: Heartbeat | None = None,
    default_variant: Variant = Variant.TOP5,
    slash_per_user_per_minute: int = 3,
    site: Site | None = None,
    signup: SignupDesk | None = None,
    metrics_token: str | None = None,
    serve_metrics: bool = True,
) -> Starlette:
    """The Starlette app. `today` dates the staleness note (pass the issue timezone's date);
    `health` defaults to a `SELECT 1` on the store; `/healthz` also reports the scheduler's
    `heartbeat` when given. Slash-command replies run in the background:
    `background_of(app).drain()` waits for them (serve() does at shutdown).
    `site` adds the readers' pages (`/`, `/issues/…`, `/feed.xml`); `signup` the email sign-up
    (`/subscribe`, `/confirm`, `/preferences`). `/metrics` asks for `metrics_token` when one
    is set, and is left out with `serve_metrics=False` (it has a listener of its own:
    `metrics_app`)."""
    # Secrets are redacted from every log line (response_url tokens by their shape).
    install_redaction(slack_signing_secret, unsubscribe_secret, metrics_token)
    background = BackgroundWork()
    slash = SlashCommands(
        settings=SlashSettings(
            signing_secret=slack_signing_secret or None,
            response_type=slack_response_type,
            default_variant=default_variant,
            per_user_per_minute=slash_per_user_per_minute,
        ),
        renderer=renderer,
        issues=issues,
        metrics=metrics,
        background=background,
        clock=clock,
        today=today,
    )
    pages = UnsubscribePages(
        subscribers=store, secret=unsubscribe_secret or None, metrics=metrics
    )
    routes: list[BaseRoute] = [
        Route("/slack/commands", slash.handle, methods=["POST"]),
        Route("/unsubscribe", pages.confirm, methods=["GET"]),
        Route("/unsubscribe", pages.unsubscribe, methods=["POST"]),
        Route(
            "/healthz",
            healthz_endpoint(health or store_health(store), heartbeat),
            methods=["GET"],
        ),
    ]
    if serve_metrics:
        routes.append(Route("/metrics", metrics_endpoint(metrics, store, metrics_token)))
    if site is not None:
        routes.extend(SiteRoutes(site).routes())
    if signup is not None:
        secure = signup.settings.base_url.startswith("https://")
        routes.extend(SignupRoutes(signup, store, metrics, secure_cookie=secure).routes())
    app = Starlette(routes=routes)
    app.state.background = background
    return app


def metrics_app(metrics: Metrics, store: Subscribers, token: str | None = None) -> Starlette:
    """`/metrics` alone, for a listener of its own (`[server] metrics_port`): Prometheus can
    scrape it on a private address while the public port serves only readers and Slack."""
    install_redaction(token)
    return Starlette(routes=[Route("/metrics", metrics_endpoint(metrics, store, token))])


def background_of(app: Starlette) -> BackgroundWork:
    """The app's pending slash-command replies."""
    work = app.state.background
    assert isinstance(work, BackgroundWork)
    return work


__all__ = ["AppStore", "background_of", "build_app", "metrics_app"]
