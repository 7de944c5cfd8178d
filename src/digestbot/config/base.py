"""What every config section shares: strict parsing (unknown keys are errors, inputs never
echoed), and the small helpers the sections' validators use."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from digestbot.model import Variant


class Section(BaseModel):
    # Unknown keys are typos until proven otherwise; inputs never appear in error text.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def empty_is_none(value: Any) -> Any:
    """For `field_validator(..., mode="before")`: an empty string means the key is unset."""
    return None if value == "" else value


def reveal(secret: SecretStr | None) -> str | None:
    """The plain value of an optional secret, for the one place that hands it to a client."""
    return secret.get_secret_value() if secret is not None else None


def has_secret(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


def dedupe(pairs: list[tuple[str, Variant]]) -> list[tuple[str, Variant]]:
    return list(dict.fromkeys(pairs))


__all__ = ["Section", "dedupe", "empty_is_none", "has_secret", "reveal"]
