"""Signed links and form tokens for email sign-up (itsdangerous, HMAC-SHA256).

One secret (`[email] unsubscribe_secret`) signs everything; a different salt per purpose keeps
a token made for one job useless for another (a preferences link cannot confirm a sign-up)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

from digestbot.model import Variant

CONFIRM = "digestbot.signup.confirm"
PREFERENCES = "digestbot.signup.preferences"
CSRF = "digestbot.signup.csrf"
CSRF_MAX_AGE = dt.timedelta(hours=2)  # a form left open longer asks to be sent again


@dataclass(frozen=True, slots=True)
class ConfirmClaim:
    address: str
    variant: Variant
    nonce: str  # what makes the link single-use
    expires_at: dt.datetime


class LinkExpired(Exception):
    """A genuine link, too old to use."""


def _clocked_signer(clock: Callable[[], float]) -> type[TimestampSigner]:
    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return ClockedSigner


class SignupTokens:
    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret.encode("utf-8")
        self._clock = clock
        signer = _clocked_signer(clock)
        self._confirm = URLSafeTimedSerializer(secret, salt=CONFIRM, signer=signer)
        self._csrf = URLSafeTimedSerializer(secret, salt=CSRF, signer=signer)
        self._preferences = URLSafeSerializer(secret, salt=PREFERENCES)

    # --- confirmation links: signed, expiring, single use (the nonce is recorded) ---------

    def confirm_token(self, address: str, variant: Variant) -> str:
        payload = {"a": address, "v": Variant(variant).value, "n": secrets.token_urlsafe(16)}
        return str(self._confirm.dumps(payload))

    def read_confirm(self, token: str, max_age: dt.timedelta) -> ConfirmClaim | None:
        """The claim of a genuine, unexpired link; None for a forged or altered one.
        Raises LinkExpired for a genuine link older than `max_age`."""
        try:
            payload, signed_at = self._confirm.loads(
                token, max_age=int(max_age.total_seconds()), return_timestamp=True
            )
        except SignatureExpired as exc:
            raise LinkExpired from exc
        except BadSignature:
            return None
        return _claim(payload, signed_at + max_age)

    # --- preference links: signed, in every email, valid as long as the address is ------

    def preferences_token(self, address: str) -> str:
        return str(self._preferences.dumps(address))

    def read_preferences(self, token: str) -> str | None:
        try:
            address = self._preferences.loads(token)
        except BadSignature:
            return None
        return address if isinstance(address, str) and address else None

    # --- CSRF: a form token bound to the browser's cookie nonce -------------------------

    @staticmethod
    def new_browser_nonce() -> str:
        return secrets.token_urlsafe(16)

    def csrf_token(self, browser_nonce: str) -> str:
        return str(self._csrf.dumps(browser_nonce))

    def csrf_ok(self, token: str | None, browser_nonce: str | None) -> bool:
        if not token or not browser_nonce:
            return False
        try:
            nonce = self._csrf.loads(token, max_age=int(CSRF_MAX_AGE.total_seconds()))
        except BadSignature:  # SignatureExpired is one too
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, browser_nonce)

    # --- keys for abuse limits: never the address or IP itself --------------------------

    def limit_key(self, kind: str, value: str) -> str:
        mac = hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()


def _claim(payload: Any, expires_at: dt.datetime) -> ConfirmClaim | None:
    if not isinstance(payload, dict):
        return None
    address, variant, nonce = payload.get("a"), payload.get("v"), payload.get("n")
    if not (isinstance(address, str) and isinstance(nonce, str) and variant in set(Variant)):
        return None
    return ConfirmClaim(address, Variant(variant), nonce, expires_at.astimezone(dt.UTC))


def preferences_link(page_url: str, secret: str, address: str) -> str:
    """The preferences page (`https://…/preferences`) with one recipient's signed token."""
    joiner = "&" if "?" in page_url else "?"
    return f"{page_url}{joiner}t={SignupTokens(secret).preferences_token(address)}"


__all__ = [
    "CSRF_MAX_AGE",
    "ConfirmClaim",
    "LinkExpired",
    "SignupTokens",
    "preferences_link",
]
