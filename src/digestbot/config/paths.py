"""Where things are: the ledger's database, the issues' source, the outbox, the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator

from digestbot.config.base import Section, empty_is_none
from digestbot.config.fields import TimezoneName
from digestbot.config.problems import problem
from digestbot.store.url import StoreURLError, display_store_url, normalize_store_url


class StoreConfig(Section):
    # A SecretStr because a PostgreSQL URL may carry a password.
    url: SecretStr = SecretStr("sqlite:///data/digestbot.db")
    # Seconds `publish` waits for a database that went away mid-run (nothing is sent
    # meanwhile) before it stops with exit code 3; `run` waits for it as long as it takes.
    outage_patience: float = Field(default=300.0, gt=0)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: SecretStr) -> SecretStr:
        try:
            normalize_store_url(value.get_secret_value())
        except StoreURLError as exc:
            raise problem(str(exc)) from None
        return value

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for output."""
        return display_store_url(self.url.get_secret_value())


class SourceConfig(Section):
    kind: Literal["folder", "url", "feed"] = "folder"
    path: Path = Path("issues")
    url: str = ""
    timezone: TimezoneName = "Asia/Shanghai"

    @model_validator(mode="after")
    def _kind_needs(self) -> SourceConfig:
        if self.kind == "url" and ("{date}" not in self.url or "://" not in self.url):
            raise problem(
                "",
                (
                    "url",
                    "kind url needs a URL template containing {date}, e.g. "
                    "https://example.org/daily/{date}.html",
                ),
            )
        if self.kind == "feed" and not self.url.startswith(("http://", "https://")):
            raise problem("", ("url", "kind feed needs the feed's http(s) URL"))
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class OutboxConfig(Section):
    path: Path = Path("outbox")


class TemplatesConfig(Section):
    dir: Path | None = None

    _blank = field_validator("dir", mode="before")(empty_is_none)


__all__ = ["OutboxConfig", "SourceConfig", "StoreConfig", "TemplatesConfig"]
