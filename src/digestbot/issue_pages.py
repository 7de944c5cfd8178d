"""Where an issue's web page lives: the one definition digests (rendering) and the readers'
web both use, so a "阅读全文" link always lands on the page the site serves."""

from __future__ import annotations

import datetime as dt
from typing import Literal

# "served": clean URLs on the running service; "static": file names for the static export,
# which also works opened from disk.
Style = Literal["served", "static"]


def issue_path(day: dt.date, style: Style = "served") -> str:
    """The issue page's path below the site's root: `issues/YYYY-MM-DD`."""
    return f"issues/{day.isoformat()}" + (".html" if style == "static" else "")


def issue_page_url(base_url: str, day: dt.date | None) -> str | None:
    """`{base_url}/issues/YYYY-MM-DD`, or None without a site (empty `base_url`) or a date."""
    if not base_url or day is None:
        return None
    return f"{base_url.rstrip('/')}/{issue_path(day)}"


__all__ = ["Style", "issue_page_url", "issue_path"]
