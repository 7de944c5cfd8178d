"""Where issues come from: a folder, a dated URL, or a feed."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.sources.base import FetchedIssue, IssueSource, SourceError
    from digestbot.sources.factory import source_from_config
    from digestbot.sources.feed import FeedSource
    from digestbot.sources.folder import EXTENSIONS, FolderSource
    from digestbot.sources.http import ConditionalFetcher, UrlSource
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "base": ("FetchedIssue", "IssueSource", "SourceError"),
            "factory": ("source_from_config",),
            "feed": ("FeedSource",),
            "folder": ("EXTENSIONS", "FolderSource"),
            "http": ("ConditionalFetcher", "UrlSource"),
        },
    )

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
