"""What email sign-up keeps: abuse-limit windows and the single-use links already used.

Both operations are one statement or one transaction that is atomic on SQLite and PostgreSQL
alike, so several workers behind one load balancer share the limits exactly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, select

from digestbot.model import Channel, Variant
from digestbot.store.dialects import dialect_insert
from digestbot.store.models import signup_limits, used_tokens
from digestbot.store.subscribers import SubscriberBook

L = signup_limits
U = used_tokens
# Limit windows are minutes to hours long; a day-old row counts nothing any more.
FORGET_LIMITS_AFTER = dt.timedelta(days=1)


class SignupBook(SubscriberBook):
    def take_signup_slot(self, key: str, window: dt.timedelta, limit: int) -> bool:
        """Count one event for `key`; False (and nothing counted) when `limit` events already
        fell in the current window. The window starts at the first event after the last one
        ended, so `limit=1, window=10 min` means at most one event per 10 minutes."""
        now = self.now()
        cutoff = now - window
        insert = dialect_insert(self.dialect, signup_limits)
        expired = L.c.window_start <= cutoff
        stmt = (
            insert.values(key=key, window_start=now, count=1)
            .on_conflict_do_update(
                index_elements=[L.c.key],
                set_={
                    "window_start": case((expired, now), else_=L.c.window_start),
                    "count": case((expired, 1), else_=L.c.count + 1),
                },
                where=expired | (L.c.count < limit),
            )
            .returning(L.c.key)
        )
        with self._write() as conn:
            conn.execute(delete(L).where(L.c.window_start < now - FORGET_LIMITS_AFTER))
            return conn.execute(stmt).first() is not None

    def confirm_signup(
        self,
        nonce: str,
        expires_at: dt.datetime,
        channel: Channel,
        target: str,
        variant: Variant,
    ) -> bool:
        """Use the single-use link `nonce` and (in the same transaction) make `target` an
        active subscriber. False, with nothing changed, when the link was used before."""
        now = self.now()
        insert = dialect_insert(self.dialect, used_tokens)
        stmt = (
            insert.values(nonce=nonce, used_at=now, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[U.c.nonce])
            .returning(U.c.nonce)
        )
        with self._write() as conn:
            conn.execute(delete(U).where(U.c.expires_at < now))
            if conn.execute(stmt).first() is None:
                return False
            self._subscribe(conn, channel, target, Variant(variant))
            return True

    def token_used(self, nonce: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(U.c.nonce).where(U.c.nonce == nonce)).first() is not None


__all__ = ["FORGET_LIMITS_AFTER", "SignupBook"]
