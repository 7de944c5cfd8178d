"""A delivery moved one step down the ladder (full → top5 → top3 → plain) after the platform
refused its form: its parts replaced by the smaller form's, in one transaction fenced by the
lease, so a rerun after a crash sends the smaller form and never the refused one again."""

from __future__ import annotations

import dataclasses

from sqlalchemy import delete, insert, select, update

from digestbot.store.base import StoreBase, clip_error
from digestbot.store.deliveries import parts_of
from digestbot.store.models import deliveries, delivery_parts
from digestbot.store.records import ClaimedDelivery, PartAction, Status

D = deliveries
P = delivery_parts
# Parts the target may have: once one of these exists, a smaller form would repeat it.
_REACHED = (Status.SENT.value, Status.UNCERTAIN.value, Status.SKIPPED.value)


class StepDowns(StoreBase):
    def step_down(
        self, claimed: ClaimedDelivery, form: str, parts_total: int, reason: str
    ) -> ClaimedDelivery | None:
        """Replace the parts of `claimed` by `parts_total` pending parts of `form`, keeping
        `reason` (what the platform said) on the first. None when the owner lost the lease
        or part of the digest already reached the target (stepping down would repeat it)."""
        with self._write() as conn:
            now = self.now()
            owned = conn.execute(
                select(D.c.id)
                .where(D.c.id == claimed.id, D.c.lease_owner == claimed.lease_owner)
                .with_for_update()
            ).first()
            if owned is None:
                return None
            reached = conn.execute(
                select(P.c.part_index).where(
                    P.c.delivery_id == claimed.id, P.c.status.in_(_REACHED)
                )
            ).first()
            if reached is not None:
                return None
            attempts = conn.execute(
                select(P.c.attempts).where(P.c.delivery_id == claimed.id, P.c.part_index == 0)
            ).scalar_one()
            conn.execute(delete(P).where(P.c.delivery_id == claimed.id))
            conn.execute(
                insert(P),
                [
                    {
                        "delivery_id": claimed.id,
                        "part_index": index,
                        "action": PartAction.SEND.value,
                        "status": Status.PENDING.value,
                        # The refused try counts: `max_attempts` bounds the whole ladder.
                        "attempts": attempts if index == 0 else 0,
                        "permanent": False,
                        "last_error": clip_error(reason) if index == 0 else None,
                        "updated_at": now,
                    }
                    for index in range(parts_total)
                ],
            )
            conn.execute(
                update(D)
                .where(D.c.id == claimed.id)
                .values(
                    form=form,
                    parts_total=parts_total,
                    status=Status.PENDING.value,
                    updated_at=now,
                )
            )
            parts = parts_of(conn, [claimed.id])[claimed.id]
        return dataclasses.replace(
            claimed, form=form, parts_total=parts_total, parts=parts, status=Status.PENDING
        )


__all__ = ["StepDowns"]
