"""`digestbot site build`: the same pages, archive and feed as the service serves, as files for
any static host. Links between pages point at files (`issues/2026-04-20.html`), so the export
also works opened from disk; the sign-up form and canonical links point at the service."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digestbot.web.links import ARCHIVE, FEED, HOME, issue_path, site_path
from digestbot.web.site import Document, Site

NOT_FOUND_FILE = "404.html"  # what most static hosts show for a missing path
_ISSUE_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.html")


class ExportError(ValueError):
    """The export cannot be written as asked (no base_url, a folder that is not writable)."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    issues: int
    files: int
    removed: int  # issue pages of an earlier export that the archive no longer holds
    bytes_written: int


def _write(path: Path, data: bytes) -> None:
    """Replace `path` whole: a host serving the folder never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # readable by the web server, like any published file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_site(site: Site, out: Path) -> ExportReport:
    """Write every page of `site` (a static-style Site with a base_url) under `out`."""
    if site.style != "static":
        raise ExportError("the export needs a Site built with style='static'")
    if site.base_url is None:
        raise ExportError(
            "[site] base_url is required: the feed's links and the sign-up form point there"
        )
    versions = site.catalog.versions()
    documents: dict[str, Document] = {
        site_path(HOME, "static"): site.home(),
        site_path(ARCHIVE, "static"): site.archive(),
        FEED: site.feed(),
        NOT_FOUND_FILE: site.not_found(HOME),
    }
    for version in versions:
        documents[issue_path(version.issue_date, "static")] = site.issue(version.issue_date)
    try:
        for name, document in documents.items():
            _write(out / name, document.body)
        removed = _remove_stale(out / "issues", set(documents))
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the site: {exc.strerror or exc}") from exc
    return ExportReport(
        issues=len(versions),
        files=len(documents),
        removed=removed,
        bytes_written=sum(len(d.body) for d in documents.values()),
    )


def _remove_stale(folder: Path, written: set[str]) -> int:
    removed = 0
    for path in folder.iterdir():
        if _ISSUE_FILE.fullmatch(path.name) and f"issues/{path.name}" not in written:
            path.unlink()
            removed += 1
    return removed


__all__ = ["NOT_FOUND_FILE", "ExportError", "ExportReport", "export_site"]
