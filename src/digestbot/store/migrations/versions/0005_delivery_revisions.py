"""Revisions in the ledger: per delivery the revision carried and held, per part its action.

Which revision of its issue each delivery carries and which one its target holds, and what
each part does (send, edit, delete, notice), so a correction travels through the same rows,
leases and steps as a first send.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("held_revision", sa.Integer(), nullable=True))
    # Whatever was delivered in full before revisions were recorded is revision 1.
    op.execute("UPDATE deliveries SET held_revision = 1 WHERE status = 'sent'")
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("revision", server_default=None)
    with op.batch_alter_table("delivery_parts") as batch:
        batch.add_column(sa.Column("action", sa.String(8), nullable=False, server_default="send"))
    with op.batch_alter_table("delivery_parts") as batch:
        batch.alter_column("action", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("delivery_parts") as batch:
        batch.drop_column("action")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("held_revision")
        batch.drop_column("revision")
