"""Admin notices sent once per issue, whatever the number of replicas and restarts: the
late-issue alert, the publish report. Whoever records a notice first sends it; a restart or
another replica finds it recorded and stays quiet."""

from __future__ import annotations

import datetime as dt

from digestbot.store.base import StoreBase
from digestbot.store.dialects import dialect_insert
from digestbot.store.models import admin_notices

N = admin_notices


class NoticeBook(StoreBase):
    def first_notice(self, issue_date: dt.date, kind: str) -> bool:
        """Record that the notice `kind` about `issue_date` goes out; False when it was
        recorded before (by this process, an earlier start or another replica)."""
        insert = dialect_insert(self.dialect, N)
        stmt = (
            insert.values(issue_date=issue_date, kind=kind[:80], sent_at=self.now())
            .on_conflict_do_nothing(index_elements=[N.c.issue_date, N.c.kind])
            .returning(N.c.kind)
        )
        with self._write() as conn:
            return conn.execute(stmt).first() is not None

    def forget_notice(self, issue_date: dt.date, kind: str) -> None:
        """The notice could not be sent after all: let the next try send it."""
        with self._write() as conn:
            conn.execute(N.delete().where(N.c.issue_date == issue_date, N.c.kind == kind[:80]))


__all__ = ["NoticeBook"]
