"""Issues dropped into a folder as YYYY-MM-DD.txt|.md|.html (how editors publish by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from digestbot.sources.base import FetchedIssue, SourceError

# Order matters when an editor leaves several exports of one day: plain text is the original.
EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")


class FolderSource:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def fetch(self, date: dt.date) -> FetchedIssue | None:
        if not self.path.is_dir():
            raise SourceError(f"issue folder {self.path} does not exist")
        for ext in EXTENSIONS:
            candidate = self.path / f"{date.isoformat()}{ext}"
            if candidate.is_file():
                try:
                    data = candidate.read_bytes()
                except OSError as exc:
                    raise SourceError(f"cannot read {candidate}: {exc.strerror}") from exc
                if not data.strip():
                    # An editor's upload still in progress: not published yet.
                    return None
                return FetchedIssue(data=data, filename=candidate.name, origin=str(candidate))
        return None

    async def aclose(self) -> None:
        return None


__all__ = ["EXTENSIONS", "FolderSource"]
