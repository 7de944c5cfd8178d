"""Log lines on stderr: one per event, stamped in the issue's timezone with its UTC offset, as
text for people or as one JSON object per line for log shippers (`--log-format json`).

Secrets are redacted when a record is created (channels.redact), so both formats only ever see
clean messages. APScheduler's per-run chatter ("Running job", "executed successfully", "Adding
job tentatively") is kept at WARNING: the service logs one line per poll itself, and the
scheduler's warnings (a missed run) and errors (a job that raised) still come through. So are
Alembic's two lines of boilerplate per store connection."""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import sys
from typing import Any
from zoneinfo import ZoneInfo

from digestbot.channels import install_redaction

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_QUIET = ("apscheduler.scheduler", "apscheduler.executors.default")
# Alembic says these two every time a command opens the store (several times per start);
# its "Running upgrade" lines, the ones that matter, still come through.
_BOILERPLATE = ("Context impl ", "Will assume ")


class LogFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class ZonedFormatter(logging.Formatter):
    """`asctime` as ISO 8601 with milliseconds and offset in `zone` (local time until the
    config names the issue timezone): 2026-04-20T08:30:00.125+08:00."""

    zone: dt.tzinfo | None = None

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = dt.datetime.fromtimestamp(record.created, tz=self.zone or dt.UTC)
        if self.zone is None:
            stamp = stamp.astimezone()
        return stamp.isoformat(timespec="milliseconds")


class JsonFormatter(ZonedFormatter):
    """One JSON object per line: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time of the line, not when it was built: a
    command run in-process (tests, CliRunner) logs where that run's stderr goes."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def _not_boilerplate(record: logging.LogRecord) -> bool:
    alembic = record.name == "alembic.runtime.migration"
    return not (alembic and str(record.msg).startswith(_BOILERPLATE))


class _Settings:
    format: LogFormat = LogFormat.TEXT


settings = _Settings()
_handler: logging.Handler | None = None


def setup_logging(level: int = logging.WARNING) -> None:
    """Our one stderr handler on the root logger (replacing any earlier one of ours), every
    configured secret redacted, APScheduler's routine lines off."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = _StderrHandler()
    formatter = (
        JsonFormatter() if settings.format is LogFormat.JSON else ZonedFormatter(TEXT_FORMAT)
    )
    _handler.setFormatter(formatter)
    _handler.addFilter(_not_boilerplate)
    root.addHandler(_handler)
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_redaction()


def use_timezone(zone: ZoneInfo) -> None:
    """From now on, stamp log lines in the issue's timezone."""
    if _handler is not None and isinstance(_handler.formatter, ZonedFormatter):
        _handler.formatter.zone = zone


__all__ = [
    "JsonFormatter",
    "LogFormat",
    "ZonedFormatter",
    "settings",
    "setup_logging",
    "use_timezone",
]
