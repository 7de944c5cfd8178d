"""The ledger tables. Migrations in `migrations/versions/` must create exactly this schema
(a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from digestbot.store.types import UTCDateTime

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL (years of 100k-reader days), INTEGER on SQLite so it stays the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# The store speaks SQLAlchemy Core (short, explicit statements): plain Tables, no ORM
# classes, so opening the store does not import sqlalchemy.orm.
metadata = MetaData(naming_convention=NAMING)


# One issue to one target in one variant: the intent, written before the first send.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("issue_date", Date, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("target", String(320), nullable=False),
    Column("variant", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("parts_total", Integer, nullable=False),  # part rows, deletions of surplus included
    # The issue revision this row carries, and the one its target holds in full (None: nothing
    # yet). A correction moves `revision` on and replans the parts; `held_revision` follows
    # once every part is done.
    Column("revision", Integer, default=1, nullable=False),
    Column("held_revision", Integer),
    # The smaller form the platform accepted after refusing the variant's ("top5", "top3",
    # "plain"): the step-down ladder. None: the variant itself.
    Column("form", String(8)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UTCDateTime),
    UniqueConstraint("issue_date", "channel", "target", "variant", name="uq_deliveries_key"),
    Index("ix_deliveries_claim", "issue_date", "channel", "status"),
)


# One message of a delivery (long variants are split into several).
delivery_parts = Table(
    "delivery_parts",
    metadata,
    Column(
        "delivery_id", BigId, ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("part_index", Integer, primary_key=True),
    # What this part does: "send" a new message, "edit" the message `provider_message_id`,
    # "delete" it (a correction with fewer parts), "notice" (email: a short correction mail).
    Column("action", String(8), default="send", nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("permanent", Boolean, default=False, nullable=False),  # failed for good
    Column("last_error", Text),
    Column("provider_message_id", String(128)),
    Column("in_flight_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_delivery_parts_sent_at", "sent_at"),
)


# A reader who joined through /start, a slash command or a subscribe link.
subscribers = Table(
    "subscribers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("target", String(320), nullable=False),
    Column("variant", String(8), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("display_name", String(256)),
    Column("joined_at", UTCDateTime, nullable=False),
    Column("left_at", UTCDateTime),
    Column("left_reason", String(256)),
    UniqueConstraint("channel", "target", name="uq_subscribers_key"),
)


# A target that moved (a Telegram group upgraded to a supergroup gets a new chat id).
# Static targets from the config file keep their old id; this redirects them.
target_aliases = Table(
    "target_aliases",
    metadata,
    Column("channel", String(16), primary_key=True),
    Column("old_target", String(320), primary_key=True),
    Column("new_target", String(320), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)


# A day's published issue: which revision is current and whether it was retracted.
# The bytes of every revision are in `issue_revisions`.
published_issues = Table(
    "issues",
    metadata,
    Column("issue_date", Date, primary_key=True),
    Column("revision", Integer, nullable=False),  # the current one
    Column("published_at", UTCDateTime, nullable=False),  # of revision 1
    Column("retracted_at", UTCDateTime),
    Column("retraction_reason", Text),
)


# The bytes of one revision of a published issue, as they were published: `retry`,
# a resumed run, the bots' `/today`, the web and a correction's diff render from here, not from a
# source that may have changed since.
issue_revisions = Table(
    "issue_revisions",
    metadata,
    # No foreign key to `issues` on purpose: SQLite migrations rebuild a table by dropping it,
    # which would cascade into (or be blocked by) the revisions. The archive writes both rows
    # in one transaction.
    Column("issue_date", Date, primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("filename", String(256), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
)


# One delivery of a retracted issue being taken back: its messages deleted (Telegram,
# Slack) or its reader told (email). The retraction's own work queue, leased like deliveries. No
# foreign key to `deliveries`, for the reason `issue_revisions` has none.
retractions = Table(
    "retractions",
    metadata,
    Column("delivery_id", BigId, primary_key=True, autoincrement=False),
    Column("issue_date", Date, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("target", String(320), nullable=False),
    Column("status", String(16), nullable=False),  # records.Undone, from its parts
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UTCDateTime),
    Index("ix_retractions_claim", "issue_date", "channel", "status"),
)


# One request of a retraction: delete the message `message_id` (one part of the
# digest), or, with no message id, send the email reader the retraction notice.
retraction_parts = Table(
    "retraction_parts",
    metadata,
    Column("delivery_id", BigId, primary_key=True, autoincrement=False),
    Column("part_index", Integer, primary_key=True, autoincrement=False),
    Column("message_id", String(128)),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, default=0, nullable=False),
    Column("permanent", Boolean, default=False, nullable=False),  # failed for good
    Column("last_error", Text),
    Column("in_flight_at", UTCDateTime),
    Column("done_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_retraction_parts_done_at", "done_at"),
)


# A fixed-window counter for sign-up abuse limits (per address, per client IP). `key`
# is an HMAC of what is limited, so unconfirmed addresses are never stored readable.
signup_limits = Table(
    "signup_limits",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("window_start", UTCDateTime, nullable=False),
    Column("count", Integer, nullable=False),
    Index("ix_signup_limits_window_start", "window_start"),
)


# A single-use link (sign-up confirmation) that was used: a second use is refused. Kept
# until the link would have expired anyway.
used_tokens = Table(
    "used_tokens",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("used_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_used_tokens_expires_at", "expires_at"),
)


# A provider limit shared by every worker on this database (e.g. Telegram's 30
# messages per second per bot): a GCRA bucket whose theoretical arrival time `tat` (seconds since
# the epoch, on the database's clock) is moved forward atomically as workers reserve sends.
rate_budgets = Table(
    "rate_budgets",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("tat", Double, nullable=False),
)


# An alert or report to the admins that must go out once per issue whatever the
# number of replicas and restarts (late issue, publish report): the first to insert it sends it.
admin_notices = Table(
    "admin_notices",
    metadata,
    Column("issue_date", Date, primary_key=True),
    Column("kind", String(80), primary_key=True),
    Column("sent_at", UTCDateTime, nullable=False),
)


__all__ = [
    "admin_notices",
    "deliveries",
    "delivery_parts",
    "issue_revisions",
    "metadata",
    "published_issues",
    "rate_budgets",
    "retraction_parts",
    "retractions",
    "signup_limits",
    "subscribers",
    "target_aliases",
    "used_tokens",
]
