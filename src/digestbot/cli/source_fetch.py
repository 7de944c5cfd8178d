"""Today's (or a given day's) issue from the configured source, or one line and exit 2."""

from __future__ import annotations

import asyncio
import datetime as dt

from digestbot.cli.app import fail
from digestbot.config import Config
from digestbot.sources import FetchedIssue, SourceError, source_from_config


def fetch_from_source(config: Config, date: dt.date) -> FetchedIssue:
    async def fetch() -> FetchedIssue | None:
        source = source_from_config(config.source)
        try:
            return await source.fetch(date)
        finally:
            await source.aclose()

    try:
        fetched = asyncio.run(fetch())
    except SourceError as exc:
        fail(f"source: {exc}")
    if fetched is None:
        fail(f"no issue for {date.isoformat()} in the {config.source.kind} source yet")
    return fetched


__all__ = ["fetch_from_source"]
