"""The `rate_budgets` rows as they are, for tests of the shared budgets and their pruning."""

from __future__ import annotations

from sqlalchemy import select

from digestbot.store import Store
from digestbot.store.models import rate_budgets


def budgets(store: Store) -> dict[str, float]:
    """Every budget row: key -> tat."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(rate_budgets.c.key, rate_budgets.c.tat)).all()
    return {str(key): float(tat) for key, tat in rows}


def age_budgets(store: Store, tats: dict[str, float]) -> None:
    """Budget rows as a run long ago left them (no statement of the store writes a past tat)."""
    with store.engine.begin() as conn:
        conn.execute(rate_budgets.insert(), [{"key": k, "tat": t} for k, t in tats.items()])
