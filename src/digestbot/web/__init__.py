"""The readers' web: issue pages, the archive and the Atom feed, from the archive of what was
published. Served by `digestbot run` and written as files by `digestbot site build`."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.web.catalog import IssueArchive, IssueCatalog, WebIssue, versions_tag
    from digestbot.web.feed import FEED_ISSUES, FEED_MEDIA_TYPE, atom_feed, entry_id
    from digestbot.web.links import PageLinks, Style, issue_path, relative
    from digestbot.web.pages import SITE_NAME, SitePages, by_month, description, issue_title
    from digestbot.web.site import HTML, Document, Site
    from digestbot.web.templates import web_environment
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "catalog": ("IssueArchive", "IssueCatalog", "WebIssue", "versions_tag"),
            "feed": ("FEED_ISSUES", "FEED_MEDIA_TYPE", "atom_feed", "entry_id"),
            "links": ("PageLinks", "Style", "issue_path", "relative"),
            "pages": ("SITE_NAME", "SitePages", "by_month", "description", "issue_title"),
            "site": ("HTML", "Document", "Site"),
            "templates": ("web_environment",),
        },
    )

__all__ = [
    "FEED_ISSUES",
    "FEED_MEDIA_TYPE",
    "HTML",
    "SITE_NAME",
    "Document",
    "IssueArchive",
    "IssueCatalog",
    "PageLinks",
    "Site",
    "SitePages",
    "Style",
    "WebIssue",
    "atom_feed",
    "by_month",
    "description",
    "entry_id",
    "issue_path",
    "issue_title",
    "relative",
    "versions_tag",
    "web_environment",
]
