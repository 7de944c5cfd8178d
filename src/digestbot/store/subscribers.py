"""Readers who joined on their own (/start, slash command, subscribe link), and target moves."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from digestbot.model import Channel, Variant
from digestbot.store.base import MIGRATED, StoreBase
from digestbot.store.models import subscribers, target_aliases
from digestbot.store.records import SubscriberRow
from digestbot.store.sets import among

S = subscribers
A = target_aliases
MAX_ALIAS_HOPS = 16
IN_CHUNK = 500  # values per IN (...): well under SQLite's and PostgreSQL's parameter caps


class SubscriberBook(StoreBase):
    def subscribe(
        self, channel: Channel, target: str, variant: Variant, display_name: str | None = None
    ) -> bool:
        """Join (or re-join, or change variant). True when the reader was not active before."""
        with self._write() as conn:
            return self._subscribe(conn, channel, target, Variant(variant), display_name)

    def _subscribe(
        self,
        conn: Connection,
        channel: Channel,
        target: str,
        variant: Variant,
        display_name: str | None = None,
    ) -> bool:
        """`subscribe` inside a caller's transaction (a sign-up confirms and joins in one)."""
        now = self.now()
        row = conn.execute(
            select(S.c.id, S.c.active).where(S.c.channel == channel, S.c.target == target)
        ).first()
        if row is None:
            conn.execute(
                S.insert().values(
                    channel=channel,
                    target=target,
                    variant=variant.value,
                    active=True,
                    display_name=display_name,
                    joined_at=now,
                )
            )
            return True
        values: dict[str, object] = {"variant": variant.value, "active": True}
        if display_name is not None:
            values["display_name"] = display_name
        if not row.active:
            values.update(joined_at=now, left_at=None, left_reason=None)
        conn.execute(update(S).where(S.c.id == row.id).values(**values))
        return not row.active

    def unsubscribe(self, channel: Channel, target: str) -> bool:
        """The reader left on purpose. True when they were active."""
        return self.deactivate(channel, target, "unsubscribed")

    def deactivate(self, channel: Channel, target: str, reason: str) -> bool:
        """Stop sending to a reader (blocked the bot, kicked, address bounced). The row stays so
        the history and the reason remain visible. True when they were active."""
        with self._write() as conn:
            return (
                conn.execute(
                    update(S)
                    .where(S.c.channel == channel, S.c.target == target, S.c.active.is_(True))
                    .values(active=False, left_at=self.now(), left_reason=reason[:256])
                ).rowcount
                == 1
            )

    def set_variant(self, channel: Channel, target: str, variant: Variant) -> bool:
        """Change what an existing reader receives. False when there is no such reader."""
        with self._write() as conn:
            return (
                conn.execute(
                    update(S)
                    .where(S.c.channel == channel, S.c.target == target)
                    .values(variant=Variant(variant).value)
                ).rowcount
                == 1
            )

    def get_subscriber(self, channel: Channel, target: str) -> SubscriberRow | None:
        with self._read() as conn:
            r = conn.execute(select(S).where(S.c.channel == channel, S.c.target == target)).first()
        if r is None:
            return None
        return SubscriberRow(
            channel=Channel(r.channel),
            target=r.target,
            variant=Variant(r.variant),
            active=r.active,
            display_name=r.display_name,
            joined_at=r.joined_at,
            left_at=r.left_at,
            left_reason=r.left_reason,
        )

    def count_active_subscribers(self, channel: Channel) -> int:
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(S.c.channel == channel, S.c.active.is_(True))
                ).scalar_one()
            )

    def iter_active_subscribers(
        self, channel: Channel, batch: int = 1000
    ) -> Iterator[tuple[str, Variant]]:
        """Active (target, variant) pairs in join order, fetched `batch` rows at a time by
        keyset pagination: memory stays flat for any audience, and no transaction stays open
        between batches (SQLite writers are never blocked by a slow consumer)."""
        last_id = 0
        while True:
            with self._read() as conn:
                rows = conn.execute(
                    select(S.c.id, S.c.target, S.c.variant)
                    .where(S.c.channel == channel, S.c.active.is_(True), S.c.id > last_id)
                    .order_by(S.c.id)
                    .limit(batch)
                ).all()
            for _, target, variant in rows:
                yield target, Variant(variant)
            if len(rows) < batch:
                return
            last_id = rows[-1].id

    # --- target moves ---------------------------------------------------------------------

    def migrate_target(self, channel: Channel, old: str, new: str) -> None:
        """`old` is now `new` (Telegram `migrate_to_chat_id`). Afterwards:
        - `resolve_targets` maps `old` to `new`, also older aliases that led to `old`, and
          `ensure_deliveries` records static config targets under `new`;
        - the subscriber row moves to `new` (if `new` already subscribed, `old` is deactivated).
        Unfinished deliveries are the ledger's rows: `DeliveryLedger.move_deliveries` moves
        them (`interfaces.follow_migration` does both)."""
        if old == new:
            return
        with self._write() as conn:
            now = self.now()
            conn.execute(
                update(A)
                .where(A.c.channel == channel, A.c.new_target == old)
                .values(new_target=new)
            )
            conn.execute(delete(A).where(A.c.channel == channel, A.c.old_target.in_([old, new])))
            conn.execute(
                A.insert().values(channel=channel, old_target=old, new_target=new, created_at=now)
            )
            self._move_subscriber(conn, channel, old, new)

    def _move_subscriber(self, conn: Connection, channel: Channel, old: str, new: str) -> None:
        taken = conn.execute(
            select(S.c.id).where(S.c.channel == channel, S.c.target == new)
        ).first()
        if taken is None:
            conn.execute(
                update(S).where(S.c.channel == channel, S.c.target == old).values(target=new)
            )
        else:
            conn.execute(
                update(S)
                .where(S.c.channel == channel, S.c.target == old, S.c.active.is_(True))
                .values(active=False, left_at=self.now(), left_reason=MIGRATED)
            )

    def resolve_targets(self, channel: Channel, targets: Iterable[str]) -> dict[str, str]:
        """Where each of `targets` lives now (itself when it never moved): one query for any
        number of targets."""
        with self._read() as conn:
            aliases = alias_map(conn, channel)
        return {target: follow_alias(aliases, target) for target in targets}

    def inactive_targets(self, channel: Channel, targets: Iterable[str]) -> set[str]:
        """Which of `targets` are readers who left (unsubscribed, blocked the bot…)."""
        found: set[str] = set()
        iterator = iter(targets)
        left = select(S.c.target).where(
            S.c.channel == channel,
            S.c.active.is_(False),
            among(S.c.target, "w_targets", self.dialect),
        )
        with self._read() as conn:
            while chunk := list(itertools.islice(iterator, IN_CHUNK)):
                found.update(conn.execute(left, {"w_targets": chunk}).scalars())
        return found


def alias_map(conn: Connection, channel: Channel) -> dict[str, str]:
    """Every move recorded on `channel`, old target → new target."""
    rows = conn.execute(select(A.c.old_target, A.c.new_target).where(A.c.channel == channel))
    return {old: new for old, new in rows}


def follow_alias(aliases: Mapping[str, str], target: str) -> str:
    """Where `target` lives after every recorded move (a cycle stops where it closes)."""
    seen = {target}
    for _ in range(MAX_ALIAS_HOPS):
        moved = aliases.get(target, target)
        if moved in seen:
            break
        seen.add(moved)
        target = moved
    return target


__all__ = ["SubscriberBook", "alias_map", "follow_alias"]
