"""Retractions: per delivery of a retracted issue, the deletions and the notice still owed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from digestbot.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "retractions",
        sa.Column("delivery_id", BigId, autoincrement=False, nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_retractions"),
    )
    op.create_index("ix_retractions_claim", "retractions", ["issue_date", "channel", "status"])
    op.create_table(
        "retraction_parts",
        sa.Column("delivery_id", BigId, autoincrement=False, nullable=False),
        sa.Column("part_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("in_flight_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "part_index", name="pk_retraction_parts"),
    )
    op.create_index("ix_retraction_parts_done_at", "retraction_parts", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_retraction_parts_done_at", table_name="retraction_parts")
    op.drop_table("retraction_parts")
    op.drop_index("ix_retractions_claim", table_name="retractions")
    op.drop_table("retractions")
