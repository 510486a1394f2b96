"""Stored rows of the reminders: the runs made, the outbox, each person's choices, and the
calendar feeds.

They belong to the tracker's schema (the reminders package, a layer above the tracker,
works on them; erasing a person reaches them too). How a run and its outbox rows make each
mail go out once, and what "sending" and "uncertain" mean, is told in reminders/outbox.py.
Addresses are not copied into the outbox: they are looked up when the mail is sent, so
erasing a person or fixing a workgroup's address needs no change here.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, UniqueConstraint

# Moments are stored with their time zone (UTC) on PostgreSQL; SQLite gives them back naive
# and `as_utc` in outbox.py puts the zone back.
MOMENT = sa.DateTime(timezone=True)


class OutboxStatus:
    PENDING = "pending"  # waiting for (another) delivery attempt
    SENDING = "sending"  # handed to the mail server (DATA started); the answer is awaited
    SENT = "sent"
    FAILED = "failed"  # refused for good (5xx, invalid address, too many attempts)
    UNCERTAIN = "uncertain"  # the answer to DATA was lost: perhaps delivered; not retried
    CANCELLED = "cancelled"  # the person opted out before it was sent


class RecipientKind:
    WORKGROUP = "workgroup"  # the workgroup's shared address
    MEMBER = "member"  # a member's own copy of their workgroup's reminder
    COORDINATOR = "coordinator"  # a netwerkcoördinator's digest


class ReminderRun(SQLModel, table=True):
    """A kind of reminder made for a quarter: recorded once, with its outbox rows."""

    __tablename__ = "reminder_run"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_reminder_run"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    period: str = Field(max_length=10)
    made_at: datetime = Field(sa_type=MOMENT)
    messages: int = 0


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient, composed when the run was made, delivered by the sender."""

    __tablename__ = "reminder_outbox"
    __table_args__ = (
        UniqueConstraint("recipient_key", "kind", "period", name="uq_reminder_outbox"),
    )
    id: int | None = Field(default=None, primary_key=True)
    recipient_key: str = Field(max_length=80)  # e.g. "workgroup:3", "member:3:12"
    kind: str = Field(max_length=20)
    period: str = Field(max_length=10)
    recipient_kind: str = Field(max_length=20)
    network_id: int | None = Field(default=None, index=True)
    workgroup_id: int | None = Field(default=None, index=True)
    user_id: int | None = Field(default=None, index=True)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    activity_ids: str = "[]"  # JSON list: the activities the mail lists
    status: str = Field(default=OutboxStatus.PENDING, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=MOMENT)
    claimed_until: datetime | None = Field(default=None, sa_type=MOMENT)
    claim_token: str | None = Field(default=None, max_length=40)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=MOMENT)
    sent_at: datetime | None = Field(default=None, sa_type=MOMENT)


class ReminderPreference(SQLModel, table=True):
    """A person's choice: a copy of their workgroups' reminders at their own address, and
    (for coordinators) the digest. The unsubscribe link switches both off."""

    __tablename__ = "reminder_preference"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    personal_copy: bool = False
    digest: bool = True
    updated_at: datetime | None = Field(default=None, sa_type=MOMENT)


def preference_of(session: Session, user_id: int) -> ReminderPreference:
    """A person's choice; the defaults (no copy, digest on) when they never chose."""
    return session.get(ReminderPreference, user_id) or ReminderPreference(user_id=user_id)


class CalendarFeed(SQLModel, table=True):
    """The secret address of a calendar feed (iCal) of one person or one workgroup.

    Only the SHA-256 of the secret is kept (as for API tokens): the address is shown once,
    when it is made; renewing replaces the hash, so the old address stops working. Exactly
    one of `user_id` and `workgroup_id` is set, and each owner has at most one feed.
    """

    __tablename__ = "calendar_feed"
    __table_args__ = (
        UniqueConstraint("user_id", name="uq_calendar_feed_user"),
        UniqueConstraint("workgroup_id", name="uq_calendar_feed_workgroup"),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (workgroup_id IS NULL)", name="ck_calendar_feed_owner"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    workgroup_id: int | None = Field(default=None, foreign_key="workgroup.id")
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    made_at: datetime = Field(sa_type=MOMENT)  # when the current address was made
