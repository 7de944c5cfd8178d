"""Replicas: provider rate budgets shared through the database, and admin notices sent once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from digestbot.store.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_budgets",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_budgets"),
    )
    op.create_table(
        "admin_notices",
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("issue_date", "kind", name="pk_admin_notices"),
    )


def downgrade() -> None:
    op.drop_table("admin_notices")
    op.drop_table("rate_budgets")
