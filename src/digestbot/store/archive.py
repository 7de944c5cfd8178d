"""The published issues, every revision kept as bytes, so every later render (a retry, /today,
the web, a correction's "what changed") sees exactly what went out.

A day's issue is one `issues` row (its current revision, whether it was retracted) and one
`issue_revisions` row per revision (1, 2, …) with the bytes. A retracted issue is not served:
`get_issue`, `latest_issue` and `list_issues` skip it; `issue_record` still shows it."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Row, Select, select, text, update
from sqlalchemy.engine import Connection

from digestbot.store.base import StoreBase
from digestbot.store.models import issue_revisions, published_issues
from digestbot.store.records import (
    ArchivedVersion,
    IssueRecord,
    IssueRetracted,
    RevisionInfo,
    SavedRevision,
    StoredIssue,
)

_DAY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('digestbot.archive:' || :day, 0))")
ISSUES = published_issues
REVISIONS = issue_revisions
MAX_REASON_CHARS = 500


class IssueArchive(StoreBase):
    def save_issue(self, issue_date: dt.date, filename: str, data: bytes) -> bool:
        """Keep the published bytes of `issue_date` as its first revision. Once deliveries
        went out, an edited file must not silently change what a retry sends: a different
        version is a correction (`add_revision`). Returns False when the current revision
        holds different bytes. Raises IssueRetracted for a retracted day."""
        digest = hashlib.sha256(data).hexdigest()
        with self._write() as conn:
            header = self._header(conn, issue_date, lock=True)
            if header is None:
                self._insert_revision(conn, issue_date, 1, filename, data, digest, first=True)
                return True
            _refuse_retracted(issue_date, header)
            return bool(self._current_sha(conn, issue_date, header.revision) == digest)

    def add_revision(self, issue_date: dt.date, filename: str, data: bytes) -> SavedRevision:
        """Archive `data` as the day's next revision (the first, when nothing was published).
        Idempotent: bytes equal to the current revision create nothing, so a correction that
        crashed after archiving resumes with the same revision number."""
        digest = hashlib.sha256(data).hexdigest()
        with self._write() as conn:
            header = self._header(conn, issue_date, lock=True)
            if header is None:
                self._insert_revision(conn, issue_date, 1, filename, data, digest, first=True)
                return SavedRevision(1, created=True)
            _refuse_retracted(issue_date, header)
            if self._current_sha(conn, issue_date, header.revision) == digest:
                return SavedRevision(header.revision, created=False)
            revision = header.revision + 1
            self._insert_revision(conn, issue_date, revision, filename, data, digest, first=False)
            return SavedRevision(revision, created=True)

    def retract_issue(self, issue_date: dt.date, reason: str) -> bool:
        """Stop serving the day's issue. True when it was served until now; LookupError when
        nothing was published that day."""
        with self._write() as conn:
            header = self._header(conn, issue_date, lock=True)
            if header is None:
                raise LookupError(f"nothing was published for {issue_date.isoformat()}")
            if header.retracted_at is not None:
                return False
            conn.execute(
                update(ISSUES)
                .where(ISSUES.c.issue_date == issue_date)
                .values(retracted_at=self.now(), retraction_reason=reason[:MAX_REASON_CHARS])
            )
            return True

    def get_issue(self, issue_date: dt.date, revision: int | None = None) -> StoredIssue | None:
        """The day's current revision (or `revision`), unless the day was retracted."""
        stmt = _served(revision).where(ISSUES.c.issue_date == issue_date)
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _stored(row) if row is not None else None

    def get_revision(self, issue_date: dt.date, revision: int) -> StoredIssue | None:
        """Any revision's bytes, retracted or not (corrections compare against old ones)."""
        stmt = select(REVISIONS).where(
            REVISIONS.c.issue_date == issue_date, REVISIONS.c.revision == revision
        )
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _stored(row) if row is not None else None

    def latest_issue(self, on_or_before: dt.date | None = None) -> StoredIssue | None:
        """The newest issue served (not after `on_or_before` when given)."""
        stmt = _served().order_by(ISSUES.c.issue_date.desc()).limit(1)
        if on_or_before is not None:
            stmt = stmt.where(ISSUES.c.issue_date <= on_or_before)
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _stored(row) if row is not None else None

    def list_issues(self, limit: int | None = None) -> list[ArchivedVersion]:
        """Every issue served (the newest `limit` when given), newest first, without data."""
        stmt = (
            select(
                REVISIONS.c.issue_date,
                REVISIONS.c.sha256,
                REVISIONS.c.published_at,
                REVISIONS.c.revision,
            )
            .join(ISSUES, ISSUES.c.issue_date == REVISIONS.c.issue_date)
            .where(ISSUES.c.retracted_at.is_(None), REVISIONS.c.revision == ISSUES.c.revision)
            .order_by(REVISIONS.c.issue_date.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [ArchivedVersion(r.issue_date, r.sha256, r.published_at, r.revision) for r in rows]

    def issue_record(self, issue_date: dt.date) -> IssueRecord | None:
        with self._read() as conn:
            header = self._header(conn, issue_date)
            if header is None:
                return None
            rows = conn.execute(
                select(
                    REVISIONS.c.revision,
                    REVISIONS.c.filename,
                    REVISIONS.c.sha256,
                    REVISIONS.c.published_at,
                )
                .where(REVISIONS.c.issue_date == issue_date)
                .order_by(REVISIONS.c.revision)
            ).all()
        return IssueRecord(
            issue_date=issue_date,
            revision=header.revision,
            revisions=tuple(RevisionInfo(*r) for r in rows),
            retracted_at=header.retracted_at,
            retraction_reason=header.retraction_reason,
        )

    # --- helpers ----------------------------------------------------------------------------

    def _header(self, conn: Connection, issue_date: dt.date, lock: bool = False) -> Any:
        stmt = select(ISSUES).where(ISSUES.c.issue_date == issue_date)
        if lock:  # two workers archiving a correction at once take turns (SQLite: write lock)
            if self.dialect == "postgresql":
                # FOR UPDATE locks only a row that exists: workers publishing a new day
                # together would both find none and both insert it. They queue on the day.
                conn.execute(_DAY_LOCK, {"day": issue_date.isoformat()})
            stmt = stmt.with_for_update()
        return conn.execute(stmt).first()

    def _current_sha(self, conn: Connection, issue_date: dt.date, revision: int) -> str | None:
        return conn.execute(
            select(REVISIONS.c.sha256).where(
                REVISIONS.c.issue_date == issue_date, REVISIONS.c.revision == revision
            )
        ).scalar()

    def _insert_revision(
        self,
        conn: Connection,
        issue_date: dt.date,
        revision: int,
        filename: str,
        data: bytes,
        digest: str,
        *,
        first: bool,
    ) -> None:
        now = self.now()
        if first:
            conn.execute(
                ISSUES.insert().values(issue_date=issue_date, revision=1, published_at=now)
            )
        else:
            conn.execute(
                update(ISSUES).where(ISSUES.c.issue_date == issue_date).values(revision=revision)
            )
        conn.execute(
            REVISIONS.insert().values(
                issue_date=issue_date,
                revision=revision,
                filename=filename,
                sha256=digest,
                data=data,
                published_at=now,
            )
        )


def _served(revision: int | None = None) -> Select[Any]:
    """Revisions of the days not retracted: the current one of each, or number `revision`."""
    wanted = ISSUES.c.revision if revision is None else revision
    return (
        select(REVISIONS)
        .join(ISSUES, ISSUES.c.issue_date == REVISIONS.c.issue_date)
        .where(ISSUES.c.retracted_at.is_(None), REVISIONS.c.revision == wanted)
    )


def _refuse_retracted(issue_date: dt.date, header: Any) -> None:
    if header.retracted_at is not None:
        raise IssueRetracted(issue_date, header.retraction_reason or "no reason given")


def _stored(row: Row[Any]) -> StoredIssue:
    return StoredIssue(
        issue_date=row.issue_date,
        filename=row.filename,
        data=bytes(row.data),
        sha256=row.sha256,
        published_at=row.published_at,
        revision=row.revision,
    )


__all__ = ["IssueArchive"]
