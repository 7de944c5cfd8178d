"""Value types of the config file: each parses one kind of TOML value and complains in words
an operator understands. Messages never quote the value: it may have come from a `${VAR}`
holding a secret."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator

from digestbot.config.problems import problem

_TELEGRAM_CHAT = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,}")
_SLACK_CHANNEL = re.compile(r"[A-Z0-9]{3,}|#[a-z0-9._\-]{1,80}")
_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;.]+(\.[^@\s<>\"',;.]+)+")
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?")


def parse_telegram_chat(value: Any) -> str:
    # TOML users write chat ids as integers; the API and the ledger keep them as strings.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _TELEGRAM_CHAT.fullmatch(value.strip()):
        raise problem("must be a numeric chat id like -1001234567890 or an @channelname")
    return value.strip()


def parse_slack_channel(value: Any) -> str:
    if not isinstance(value, str) or not _SLACK_CHANNEL.fullmatch(value.strip()):
        raise problem("must be a Slack channel id like C0123456 (or #channel-name)")
    return value.strip()


def is_plausible_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def parse_email_address(value: Any) -> str:
    if not isinstance(value, str) or not is_plausible_email(value.strip()):
        raise problem("must be an email address like reader@example.org")
    return value.strip()


def parse_mailbox(value: Any) -> str:
    """`Name <addr@host>` or a bare address, as in a From: header."""
    if isinstance(value, str):
        _, address = parseaddr(value)
        if address and is_plausible_email(address):
            return value.strip()
    raise problem('must be an address like "AI 前沿发展日报 <digest@example.org>"')


def parse_clock_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):  # a TOML local time (08:30:00)
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and (m := _CLOCK.fullmatch(value.strip())):
        return dt.time(int(m.group(1)), int(m.group(2)))
    raise problem("must be a time of day HH:MM (24-hour)")


def parse_duration(value: Any) -> dt.timedelta:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return dt.timedelta(seconds=value)
    if isinstance(value, str) and value.strip() and (m := _DURATION.fullmatch(value.strip())):
        hours, minutes, seconds = m.groups()
        delta = dt.timedelta(
            hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0)
        )
        if delta > dt.timedelta(0):
            return delta
    raise problem("must be a duration like 30s, 5m, 1h or 1h30m")


def parse_timezone(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value.strip()
    raise problem("unknown time zone (use an IANA name like Asia/Shanghai)")


def parse_http_url(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"https?://\S+", value.strip()):
        return value.strip()
    raise problem("must be an http:// or https:// URL")


TelegramChatId = Annotated[str, BeforeValidator(parse_telegram_chat)]
SlackChannelId = Annotated[str, BeforeValidator(parse_slack_channel)]
EmailAddress = Annotated[str, BeforeValidator(parse_email_address)]
Mailbox = Annotated[str, BeforeValidator(parse_mailbox)]
ClockTime = Annotated[dt.time, BeforeValidator(parse_clock_time)]
Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]
TimezoneName = Annotated[str, BeforeValidator(parse_timezone)]
HttpURL = Annotated[str, BeforeValidator(parse_http_url)]

__all__ = [
    "ClockTime",
    "Duration",
    "EmailAddress",
    "HttpURL",
    "Mailbox",
    "SlackChannelId",
    "TelegramChatId",
    "TimezoneName",
    "is_plausible_email",
    "parse_email_address",
    "parse_slack_channel",
    "parse_telegram_chat",
]
