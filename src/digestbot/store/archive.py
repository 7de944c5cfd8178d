"""The published issues, kept as bytes so every later render sees exactly what went out."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Row, select, update

from digestbot.store.base import StoreBase
from digestbot.store.models import published_issues
from digestbot.store.records import ArchivedVersion, StoredIssue

ISSUES = published_issues


class IssueArchive(StoreBase):
    def save_issue(self, issue_date: dt.date, filename: str, data: bytes) -> bool:
        """Keep the published bytes of `issue_date`. The first version published wins: once
        deliveries went out, an edited file must not silently change what a retry sends.
        Returns False when a *different* version was already archived."""
        return self._save(issue_date, filename, data, hashlib.sha256(data).hexdigest())

    def _save(self, issue_date: dt.date, filename: str, data: bytes, digest: str) -> bool:
        with self._write() as conn:
            existing = conn.execute(
                select(ISSUES.c.sha256).where(ISSUES.c.issue_date == issue_date)
            ).scalar()
            if existing is not None:
                return bool(existing == digest)
            conn.execute(
                ISSUES.insert().values(
                    issue_date=issue_date,
                    filename=filename,
                    sha256=digest,
                    data=data,
                    published_at=self.now(),
                )
            )
            return True

    def replace_issue(self, issue_date: dt.date, filename: str, data: bytes) -> None:
        """An operator's explicit correction (`publish --file` of a fixed version)."""
        digest = hashlib.sha256(data).hexdigest()
        if self._save(issue_date, filename, data, digest):
            return
        with self._write() as conn:
            conn.execute(
                update(ISSUES)
                .where(ISSUES.c.issue_date == issue_date)
                .values(
                    filename=filename,
                    sha256=digest,
                    data=data,
                    published_at=self.now(),
                )
            )

    def get_issue(self, issue_date: dt.date) -> StoredIssue | None:
        with self._read() as conn:
            row = conn.execute(select(ISSUES).where(ISSUES.c.issue_date == issue_date)).first()
        return _stored(row) if row is not None else None

    def latest_issue(self, on_or_before: dt.date | None = None) -> StoredIssue | None:
        """The newest archived issue (not after `on_or_before` when given)."""
        stmt = select(ISSUES).order_by(ISSUES.c.issue_date.desc()).limit(1)
        if on_or_before is not None:
            stmt = stmt.where(ISSUES.c.issue_date <= on_or_before)
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _stored(row) if row is not None else None


    def list_issues(self, limit: int | None = None) -> list[ArchivedVersion]:
        """Every archived issue (the newest `limit` when given), newest first, without data."""
        stmt = select(ISSUES.c.issue_date, ISSUES.c.sha256, ISSUES.c.published_at).order_by(
            ISSUES.c.issue_date.desc()
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [ArchivedVersion(r.issue_date, r.sha256, r.published_at) for r in rows]


def _stored(row: Row[Any]) -> StoredIssue:
    return StoredIssue(
        issue_date=row.issue_date,
        filename=row.filename,
        data=bytes(row.data),
        sha256=row.sha256,
        published_at=row.published_at,
    )


__all__ = ["IssueArchive"]
