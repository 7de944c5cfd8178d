"""Pre-flight: everything worth knowing about an issue file before anything goes out."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.checking.findings import Preflight, summary_lines
    from digestbot.checking.links import LinkResult, check_links
    from digestbot.checking.preflight import (
        DATE,
        NOT_AN_ISSUE,
        UNPUBLISHABLE,
        limits_from,
        preflight,
    )
    from digestbot.checking.report import CheckReport, check_file
    from digestbot.checking.splits import Parts, parts_of
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "findings": ("Preflight", "summary_lines"),
            "links": ("LinkResult", "check_links"),
            "preflight": ("DATE", "NOT_AN_ISSUE", "UNPUBLISHABLE", "limits_from", "preflight"),
            "report": ("CheckReport", "check_file"),
            "splits": ("Parts", "parts_of"),
        },
    )

__all__ = [
    "DATE",
    "NOT_AN_ISSUE",
    "UNPUBLISHABLE",
    "CheckReport",
    "LinkResult",
    "Parts",
    "Preflight",
    "check_file",
    "check_links",
    "limits_from",
    "parts_of",
    "preflight",
    "summary_lines",
]
