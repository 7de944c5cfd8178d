"""Where issues come from: a folder, a dated URL, or a feed."""

from digestbot.sources.base import FetchedIssue, IssueSource, SourceError
from digestbot.sources.factory import source_from_config
from digestbot.sources.feed import FeedSource
from digestbot.sources.folder import EXTENSIONS, FolderSource
from digestbot.sources.http import ConditionalFetcher, UrlSource

__all__ = [
    "EXTENSIONS",
    "ConditionalFetcher",
    "FeedSource",
    "FetchedIssue",
    "FolderSource",
    "IssueSource",
    "SourceError",
    "UrlSource",
    "source_from_config",
]
