"""Per-recipient unsubscribe tokens: the address itself plus a truncated HMAC, so the link
works without a lookup table and cannot be forged for someone else's address."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

# 16 bytes of HMAC-SHA256 = 128 bits: far beyond guessing, and keeps the link short.
_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, address: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), address, hashlib.sha256).digest()[:_MAC_BYTES]


def make_unsubscribe_token(secret: str, address: str) -> str:
    """A URL-safe token naming `address`, signed with `secret`."""
    raw = address.strip().encode("utf-8")
    return f"{_b64(raw)}.{_b64(_mac(secret, raw))}"


def verify_unsubscribe_token(secret: str, token: str) -> str | None:
    """The address the token names, or None when it was not made with `secret` or was altered."""
    encoded, dot, signature = token.strip().partition(".")
    if not dot or not encoded or not signature:
        return None
    try:
        raw = _unb64(encoded)
        given = _unb64(signature)
        address = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(given, _mac(secret, raw)):
        return None
    return address


def unsubscribe_link(base_url: str, secret: str, address: str) -> str:
    """`base_url` with the recipient's token appended as the `t` query parameter."""
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}t={make_unsubscribe_token(secret, address)}"


__all__ = ["make_unsubscribe_token", "unsubscribe_link", "verify_unsubscribe_token"]
