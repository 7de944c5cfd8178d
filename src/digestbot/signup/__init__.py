"""Email sign-up with double opt-in: signed links, abuse limits, the confirmation mail."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.signup.desk import (
        VARIANT_LABELS,
        Asked,
        Confirmed,
        MailSender,
        SignupDesk,
        SignupSettings,
        SignupStore,
        normalize_address,
    )
    from digestbot.signup.tokens import ConfirmClaim, LinkExpired, SignupTokens, preferences_link
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "desk": (
                "VARIANT_LABELS",
                "Asked",
                "Confirmed",
                "MailSender",
                "SignupDesk",
                "SignupSettings",
                "SignupStore",
                "normalize_address",
            ),
            "tokens": ("ConfirmClaim", "LinkExpired", "SignupTokens", "preferences_link"),
        },
    )

__all__ = [
    "VARIANT_LABELS",
    "Asked",
    "ConfirmClaim",
    "Confirmed",
    "LinkExpired",
    "MailSender",
    "SignupDesk",
    "SignupSettings",
    "SignupStore",
    "SignupTokens",
    "normalize_address",
    "preferences_link",
]
