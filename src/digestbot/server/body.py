"""Reading a request body without letting a client make the server buffer an unbounded one."""

from __future__ import annotations

from starlette.requests import Request


async def read_body_within(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it declares or turns out to be longer than `limit` bytes
    (a chunked body has no Content-Length, so the stream is counted too)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


__all__ = ["read_body_within"]
