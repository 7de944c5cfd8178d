"""Every revision of a published issue, and retractions.

`issues` becomes the day's header (current revision, retraction); the bytes move to
`issue_revisions`, the existing ones as revision 1.

Revision ID: 0004
Revises: 0003
Create Date: 2026-04-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from digestbot.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issue_revisions",
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(256), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("issue_date", "revision", name="pk_issue_revisions"),
    )
    op.execute(
        "INSERT INTO issue_revisions (issue_date, revision, filename, sha256, data, published_at) "
        "SELECT issue_date, 1, filename, sha256, data, published_at FROM issues"
    )
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("retracted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("retraction_reason", sa.Text(), nullable=True))
        batch.drop_column("filename")
        batch.drop_column("sha256")
        batch.drop_column("data")
    with op.batch_alter_table("issues") as batch:
        batch.alter_column("revision", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("filename", sa.String(256), nullable=False, server_default=""))
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE issues SET filename = r.filename, sha256 = r.sha256, data = r.data "
        "FROM issue_revisions r "
        "WHERE r.issue_date = issues.issue_date AND r.revision = issues.revision"
    )
    with op.batch_alter_table("issues") as batch:
        batch.alter_column("filename", server_default=None)
        batch.alter_column("sha256", server_default=None)
        batch.alter_column("data", nullable=False)
        batch.drop_column("retraction_reason")
        batch.drop_column("retracted_at")
        batch.drop_column("revision")
    op.drop_table("issue_revisions")
