"""Conditional GET for public pages: a strong ETag over the exact bytes, Last-Modified from
when the issue was published, and 304 when the client (or a CDN in front) already has them."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

# Public pages change at most when an issue is published or corrected; a CDN may keep them
# briefly and revalidate cheaply with the validators below.
PUBLIC_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: `W/"x"` matches `"x"`; `*` matches anything."""
    if if_none_match.strip() == "*":
        return True
    tags = (t.strip().removeprefix("W/") for t in if_none_match.split(","))
    return etag in tags


def _not_modified_since(if_modified_since: str, last_modified: dt.datetime) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def conditional_response(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: dt.datetime,
    status_code: int = 200,
) -> Response:
    """`body` with validators, or 304 without a body when the client's copy is current.
    If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2)."""
    etag = etag_of(body)
    headers = {
        **PUBLIC_HEADERS,
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.astimezone(dt.UTC), usegmt=True),
    }
    if status_code == 200:
        if_none_match = request.headers.get("if-none-match")
        if_modified_since = request.headers.get("if-modified-since")
        if (if_none_match is not None and _matches(if_none_match, etag)) or (
            if_none_match is None
            and if_modified_since is not None
            and _not_modified_since(if_modified_since, last_modified)
        ):
            return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, media_type=media_type, headers=headers)


__all__ = ["PUBLIC_HEADERS", "conditional_response", "etag_of"]
