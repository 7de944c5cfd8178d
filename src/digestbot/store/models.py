"""The ledger tables. Migrations in `migrations/versions/` must create exactly this schema
(a test compares them)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Delivery(Base):
    """One issue to one target in one variant: the intent, written before the first send."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("issue_date", "channel", "target", "variant", name="uq_deliveries_key"),
        Index("ix_deliveries_claim", "issue_date", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(320))
    variant: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    parts_total: Mapped[int] = mapped_column(Integer)  # part rows, deletions of surplus included
    # The issue revision this row carries, and the one its target holds in full (None: nothing
    # yet). A correction moves `revision` on and replans the parts; `held_revision` follows
    # once every part is done.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    held_revision: Mapped[int | None] = mapped_column(Integer)
    # The smaller form the platform accepted after refusing the variant's ("top5", "top3",
    # "plain"): the step-down ladder. None: the variant itself.
    form: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DeliveryPart(Base):
    """One message of a delivery (long variants are split into several)."""

    __tablename__ = "delivery_parts"
    __table_args__ = (Index("ix_delivery_parts_sent_at", "sent_at"),)

    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    part_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What this part does: "send" a new message, "edit" the message `provider_message_id`,
    # "delete" it (a correction with fewer parts), "notice" (email: a short correction mail).
    action: Mapped[str] = mapped_column(String(8), default="send")
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)  # failed for good
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    in_flight_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Subscriber(Base):
    """A reader who joined through /start, a slash command or a subscribe link."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("channel", "target", name="uq_subscribers_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(320))
    variant: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean)
    display_name: Mapped[str | None] = mapped_column(String(256))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str | None] = mapped_column(String(256))


class TargetAlias(Base):
    """A target that moved (a Telegram group upgraded to a supergroup gets a new chat id).
    Static targets from the config file keep their old id; this redirects them."""

    __tablename__ = "target_aliases"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    old_target: Mapped[str] = mapped_column(String(320), primary_key=True)
    new_target: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PublishedIssue(Base):
    """A day's published issue: which revision is current and whether it was retracted. The
    bytes of every revision are in `issue_revisions`."""

    __tablename__ = "issues"

    issue_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)  # the current one
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # of revision 1
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(Text)


class IssueRevision(Base):
    """The bytes of one revision of a published issue, as they were published: `retry`, a
    resumed run, the bots' `/today`, the web and a correction's diff render from here, not
    from a source that may have changed since."""

    __tablename__ = "issue_revisions"

    # No foreign key to `issues` on purpose: SQLite migrations rebuild a table by dropping it,
    # which would cascade into (or be blocked by) the revisions. The archive writes both rows
    # in one transaction.
    issue_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Retraction(Base):
    """One delivery of a retracted issue being taken back: its messages deleted (Telegram,
    Slack) or its reader told (email). The retraction's own work queue, leased like
    deliveries. No foreign key to `deliveries`, for the reason `issue_revisions` has none."""

    __tablename__ = "retractions"
    __table_args__ = (Index("ix_retractions_claim", "issue_date", "channel", "status"),)

    delivery_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16))  # records.Undone, from its parts
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class RetractionPart(Base):
    """One request of a retraction: delete the message `message_id` (one part of the digest),
    or, with no message id, send the email reader the retraction notice."""

    __tablename__ = "retraction_parts"
    __table_args__ = (Index("ix_retraction_parts_done_at", "done_at"),)

    delivery_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    part_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    message_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)  # failed for good
    last_error: Mapped[str | None] = mapped_column(Text)
    in_flight_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignupLimit(Base):
    """A fixed-window counter for sign-up abuse limits (per address, per client IP). `key` is
    an HMAC of what is limited, so unconfirmed addresses are never stored readable."""

    __tablename__ = "signup_limits"
    __table_args__ = (Index("ix_signup_limits_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)


class UsedToken(Base):
    """A single-use link (sign-up confirmation) that was used: a second use is refused. Kept
    until the link would have expired anyway."""

    __tablename__ = "used_tokens"
    __table_args__ = (Index("ix_used_tokens_expires_at", "expires_at"),)

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RateBudget(Base):
    """A provider limit shared by every worker on this database (e.g. Telegram's 30 messages
    per second per bot): a GCRA bucket whose theoretical arrival time `tat` (seconds since the
    epoch, on the database's clock) is moved forward atomically as workers reserve sends."""

    __tablename__ = "rate_budgets"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    tat: Mapped[float] = mapped_column(Double)


class AdminNotice(Base):
    """An alert or report to the admins that must go out once per issue whatever the number
    of replicas and restarts (late issue, publish report): the first to insert it sends it."""

    __tablename__ = "admin_notices"

    issue_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# Core handles for the query modules (the store speaks Core for short, explicit statements).
deliveries = cast(Table, Delivery.__table__)
delivery_parts = cast(Table, DeliveryPart.__table__)
subscribers = cast(Table, Subscriber.__table__)
target_aliases = cast(Table, TargetAlias.__table__)
published_issues = cast(Table, PublishedIssue.__table__)
issue_revisions = cast(Table, IssueRevision.__table__)
retractions = cast(Table, Retraction.__table__)
retraction_parts = cast(Table, RetractionPart.__table__)
signup_limits = cast(Table, SignupLimit.__table__)
used_tokens = cast(Table, UsedToken.__table__)
rate_budgets = cast(Table, RateBudget.__table__)
admin_notices = cast(Table, AdminNotice.__table__)

__all__ = [
    "AdminNotice",
    "Base",
    "Delivery",
    "DeliveryPart",
    "IssueRevision",
    "PublishedIssue",
    "RateBudget",
    "Retraction",
    "RetractionPart",
    "SignupLimit",
    "Subscriber",
    "TargetAlias",
    "UsedToken",
    "admin_notices",
    "deliveries",
    "delivery_parts",
    "issue_revisions",
    "published_issues",
    "rate_budgets",
    "retraction_parts",
    "retractions",
    "signup_limits",
    "subscribers",
    "target_aliases",
    "used_tokens",
]
