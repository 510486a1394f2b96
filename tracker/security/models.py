"""Stored rows of account security: per-person counters and epoch, login counters, audit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Stored with their time zone on PostgreSQL; SQLite gives them back naive (see
# tracker.clock.as_utc).
MOMENT = sa.DateTime(timezone=True)


class AccountSecurity(SQLModel, table=True):
    """Per person: the session epoch (raised to end every session) and the failed logins."""

    __tablename__ = "account_security"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    session_epoch: int = 0
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=MOMENT)


class LoginCounter(SQLModel, table=True):
    """Login attempts from one address in one minute (rows older than an hour are removed)."""

    __tablename__ = "login_counter"
    address: str = Field(primary_key=True, max_length=64)
    window: datetime = Field(primary_key=True, sa_type=MOMENT)
    count: int = 0


class AuditEntry(SQLModel, table=True):
    """Who did (or tried) what, when, from which address. Ids only: never an e-mail address,
    a password or a token; `detail` is a short text written by the app."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=MOMENT, index=True)
    kind: str = Field(max_length=40, index=True)
    actor_id: int | None = Field(default=None, index=True)  # who acted (signed in)
    subject_id: int | None = Field(default=None, index=True)  # whose account it concerns
    address: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=300)


class PasswordResetToken(SQLModel, table=True):
    """A password-reset or invitation link (`purpose`): only the SHA-256 of its token is
    kept; used once."""

    __tablename__ = "password_reset_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(
        default="reset", max_length=16, sa_column_kwargs={"server_default": "reset"}
    )
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(sa_type=MOMENT)
    expires_at: datetime = Field(sa_type=MOMENT)
    used_at: datetime | None = Field(default=None, sa_type=MOMENT)
