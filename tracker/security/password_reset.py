"""Password reset by e-mail: a single-use link, valid at most 60 minutes.

Only the SHA-256 of the token is stored. The mail goes to the address stored for the
account, never to an address taken from the request, and the answer to a request is the
same whether or not the address belongs to an account. Mail is sent with the reminders'
mailer (SMTP, file or console, as configured).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker import accounts
from tracker.accounts import normalise_email, token_hash
from tracker.clock import as_utc
from tracker.domain.message import Message, MessageError
from tracker.mail import plain_mail
from tracker.models import User
from tracker.passwords import Passwords
from tracker.security import throttle
from tracker.security.models import PasswordResetToken
from tracker.texts import translate

MAX_VALIDITY = timedelta(minutes=60)
RESET = "reset"  # the purpose of a reset link token (invitations.PURPOSE: the other)
_LINK_NOT_VALID = Message("the link is not valid, already used or expired")


class ResetRefused(MessageError):
    """The link is unknown, used or expired, or the new password is refused (message: why)."""


@dataclass(frozen=True)
class ResetRequest:
    user_id: int
    email: str  # the stored address of the account
    token: str


def request_reset(
    session: Session, email: str, now: datetime, valid_for: timedelta
) -> ResetRequest | None:
    """A new reset token for the active account with this address, or None (unknown)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or user.id is None or not user.active or "@" not in user.email:
        return None
    token = new_token(session, user.id, now, now + min(valid_for, MAX_VALIDITY), RESET)
    return ResetRequest(user.id, user.email, token)


def new_token(
    session: Session, user_id: int, now: datetime, expires_at: datetime, purpose: str
) -> str:
    """Store the hash of a new single-use token for a person; the token is returned once."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=expires_at,
            purpose=purpose,
        )
    )
    session.flush()
    return token


def valid_token(
    session: Session, token: str, now: datetime, purpose: str = RESET
) -> PasswordResetToken | None:
    found = session.get(PasswordResetToken, token_hash(token)) if len(token) < 200 else None
    if found is None or found.used_at is not None or found.purpose != purpose:
        return None
    expires = as_utc(found.expires_at)
    return found if expires is not None and expires > now else None


def reset_password(
    session: Session,
    passwords: Passwords,
    token: str,
    password: str,
    now: datetime,
    purpose: str = RESET,
) -> int:
    """Set the new password with a valid token (used up at once); returns the person's id.

    The token is marked used with a conditional UPDATE, so of two requests with the same
    link only one succeeds. Every session of the person ends; a lockout is lifted.
    """
    found = valid_token(session, token, now, purpose)
    if found is None:
        raise ResetRefused(_LINK_NOT_VALID)
    accounts.check_password(password)
    table: sa.Table = PasswordResetToken.__table__  # type: ignore[attr-defined]
    used = session.connection().execute(
        sa.update(table)
        .where(table.c.token_hash == found.token_hash, table.c.used_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise ResetRefused(_LINK_NOT_VALID)
    user = session.get(User, found.user_id)
    if user is None or not user.active:
        raise ResetRefused(_LINK_NOT_VALID)
    accounts.change_password(session, passwords, user, password)
    throttle.register_success(session.connection(), found.user_id)
    return found.user_id


def reset_message(request: ResetRequest, *, sender: str, link: str, minutes: int) -> EmailMessage:
    """The mail with the link, to the account's stored address, in the language of the
    request that asked for it."""
    body = Message(
        "Someone asked to reset the password of your account with the Jaarplan tracker.\n\n"
        "Choose a new password with this link (valid for %(minutes)s minutes, to be used "
        "once):\n\n%(link)s\n\n"
        "Did you not ask for this yourself? Then you can ignore this e-mail; your password "
        "stays as it was.\n",
        minutes=minutes,
        link=link,
    )
    subject = translate(Message("Reset your password – Jaarplan tracker"))
    return plain_mail(sender, request.email, subject, translate(body))
