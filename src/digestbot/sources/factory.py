"""The source the config names."""

from __future__ import annotations

from digestbot.config import SourceConfig
from digestbot.sources.base import IssueSource
from digestbot.sources.feed import FeedSource
from digestbot.sources.folder import FolderSource
from digestbot.sources.http import UrlSource


def source_from_config(config: SourceConfig) -> IssueSource:
    if config.kind == "url":
        return UrlSource(config.url)
    if config.kind == "feed":
        return FeedSource(config.url, config.zone)
    return FolderSource(config.path)


__all__ = ["source_from_config"]
