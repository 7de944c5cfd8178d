"""The readers' web on the service: `/`, `/issues/`, `/issues/YYYY-MM-DD`, `/feed.xml`.

Documents come from `digestbot.web.Site` (rendered in a worker thread: the store and the
parser are synchronous) and go out with conditional-GET validators."""

from __future__ import annotations

import asyncio
import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from digestbot.server.conditional import conditional_response
from digestbot.web import Document, Site


def _send(request: Request, document: Document) -> Response:
    return conditional_response(
        request,
        document.body,
        document.media_type,
        document.last_modified,
        status_code=document.status,
    )


class SiteRoutes:
    def __init__(self, site: Site) -> None:
        self.site = site

    async def home(self, request: Request) -> Response:
        return _send(request, await asyncio.to_thread(self.site.home))

    async def archive(self, request: Request) -> Response:
        return _send(request, await asyncio.to_thread(self.site.archive))

    async def issue(self, request: Request) -> Response:
        text = str(request.path_params["day"])
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is None or day.isoformat() != text:  # only the canonical YYYY-MM-DD
            return _send(request, self.site.not_found(f"issues/{text}"))
        return _send(request, await asyncio.to_thread(self.site.issue, day))

    async def feed(self, request: Request) -> Response:
        # Without [site] base_url the request's own address makes the links absolute.
        base = str(request.base_url)
        return _send(request, await asyncio.to_thread(self.site.feed, base))

    @staticmethod
    async def to_folder(request: Request) -> Response:
        """`/issues` → `/issues/`: relative links inside the archive need the slash."""
        return RedirectResponse(request.url.replace(path=request.url.path + "/"), 301)

    @staticmethod
    async def without_slash(request: Request) -> Response:
        """`/issues/DATE/` → `/issues/DATE`: relative links need the canonical form."""
        return RedirectResponse(request.url.replace(path=request.url.path.rstrip("/")), 301)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/issues", self.to_folder, methods=["GET"]),
            Route("/issues/", self.archive, methods=["GET"]),
            Route("/issues/{day}/", self.without_slash, methods=["GET"]),
            Route("/issues/{day}", self.issue, methods=["GET"]),
            Route("/feed.xml", self.feed, methods=["GET"]),
        ]


__all__ = ["SiteRoutes"]
