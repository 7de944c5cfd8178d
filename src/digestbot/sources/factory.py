"""The source the config names."""

from __future__ import annotations

# Through the lazy package: only the configured kind's module (and its HTTP or feed
# libraries) is imported.
import digestbot.sources as sources
from digestbot.config import SourceConfig
from digestbot.sources.base import IssueSource


def source_from_config(config: SourceConfig) -> IssueSource:
    if config.kind == "url":
        return sources.UrlSource(config.url)
    if config.kind == "feed":
        return sources.FeedSource(config.url, config.zone)
    return sources.FolderSource(config.path)


__all__ = ["source_from_config"]
