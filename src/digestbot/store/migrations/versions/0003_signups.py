"""Email sign-up state: abuse-limit counters and used single-use links.

Revision ID: 0003
Revises: 0002
Create Date: 2026-04-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from digestbot.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signup_limits",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_signup_limits"),
    )
    op.create_index("ix_signup_limits_window_start", "signup_limits", ["window_start"])
    op.create_table(
        "used_tokens",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_used_tokens"),
    )
    op.create_index("ix_used_tokens_expires_at", "used_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_used_tokens_expires_at", table_name="used_tokens")
    op.drop_table("used_tokens")
    op.drop_index("ix_signup_limits_window_start", table_name="signup_limits")
    op.drop_table("signup_limits")
