"""Renewing and giving back leases, for any table with `lease_owner`, `lease_expires_at` and
`updated_at` columns (deliveries, retractions). Only the owner's own leases are touched, so a
worker that lost a lease can never extend or free another worker's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Column, Table, update
from sqlalchemy.engine import Connection


def renew_leases(
    conn: Connection,
    table: Table,
    key: Column[int],
    ids: Sequence[int],
    owner: str,
    now: dt.datetime,
    lease_seconds: float,
) -> int:
    """Extend the leases `owner` still holds on rows `key IN ids`; how many it still held."""
    return conn.execute(
        update(table)
        .where(key.in_(ids), table.c.lease_owner == owner)
        .values(lease_expires_at=now + dt.timedelta(seconds=lease_seconds), updated_at=now)
    ).rowcount


def release_leases(
    conn: Connection,
    table: Table,
    key: Column[int],
    ids: Sequence[int],
    owner: str,
    now: dt.datetime,
) -> int:
    """Give back the leases `owner` holds on rows `key IN ids`; how many it held."""
    return conn.execute(
        update(table)
        .where(key.in_(ids), table.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, updated_at=now)
    ).rowcount
