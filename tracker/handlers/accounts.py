"""Account handlers: signing in and out, changing a password, the reset link.

The rules of the brute-force limits (tracker.security.throttle), of the sessions (every
session of a person ends with a new epoch) and of password hashes (upgraded on sign-in when
the parameters changed) live here, each change recorded in the audit trail with the address
the request came from; the pages only parse input and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlmodel import select

from tracker import accounts
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import Principal
from tracker.handlers.marker import handler
from tracker.models import User
from tracker.passwords import Passwords
from tracker.security import audit, invitations, password_reset, throttle
from tracker.security.audit import AuditKind
from tracker.security.sessions import end_all_sessions, session_epoch


class WrongPassword(Exception):
    """The current password given is not the person's."""


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str
    address: str


@dataclass(frozen=True)
class SignedIn:
    """A person who may have a session now, and the epoch their session must name."""

    user: User
    epoch: int


@handler
def count_attempt(
    uow: UnitOfWork, key: str, address: str, clock: Clock, limits: throttle.Limits
) -> bool:
    """Count one sign-in (or reset) attempt from an address; True when it is one too many
    this minute (the first such is recorded in the audit trail)."""
    now = clock.now()
    with uow:
        attempts = throttle.count_attempt(uow.connection, key, now)
        if attempts == limits.per_minute + 1:  # once per minute, not once per attempt
            audit.add(uow.session, AuditKind.LOGIN_THROTTLED, at=now, address=address)
        uow.commit()
    return attempts > limits.per_minute


@handler
def sign_in(
    uow: UnitOfWork, command: SignIn, clock: Clock, passwords: Passwords, limits: throttle.Limits
) -> SignedIn | None:
    """The person, if the password is theirs, the account active and not locked; else None,
    with the failure counted (the account locked after too many) and recorded. The hash is
    upgraded when the hashing parameters changed."""
    now = clock.now()
    with uow:
        record = partial(audit.add, uow.session, at=now, address=command.address)
        email = accounts.normalise_email(command.email)
        user = uow.session.exec(select(User).where(User.email == email)).first()
        if user is None or user.id is None:
            passwords.verify(passwords.dummy_hash(), command.password)  # same time either way
            record(AuditKind.LOGIN_FAILED)
            uow.commit()
            return None
        locked = throttle.locked_until(uow.connection, user.id, now) is not None
        if not locked and user.active and passwords.verify(user.password_hash, command.password):
            throttle.register_success(uow.connection, user.id)
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash(command.password)
                uow.session.add(user)
            epoch = session_epoch(uow.connection, user.id)
            record(AuditKind.SIGNED_IN, actor_id=user.id, subject_id=user.id)
            uow.commit()
            return SignedIn(user, epoch)
        reason = "locked" if locked else ("inactive" if not user.active else "")
        detail = audit.fields(reason=reason) if reason else ""
        locked_now = not locked and throttle.register_failure(uow.connection, user.id, now, limits)
        record(AuditKind.LOGIN_FAILED, subject_id=user.id, detail=detail)
        if locked_now:
            failures = audit.fields(failures=limits.max_failures)
            record(AuditKind.ACCOUNT_LOCKED, subject_id=user.id, detail=failures)
        uow.commit()
    return None


@handler
def sign_out(uow: UnitOfWork, actor: Principal) -> None:
    """End every session of the person (copied cookies too)."""
    if actor.user_id is None:
        return
    with uow:
        end_all_sessions(uow.connection, actor.user_id)
        uow.commit()


@handler
def change_password(
    uow: UnitOfWork, actor: Principal, current: str, new: str, clock: Clock, passwords: Passwords
) -> SignedIn:
    """Set a new password: every session of the person ends; returns the person with the
    epoch of their next session. Raises WrongPassword, accounts.AccountError."""
    with uow:
        user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None
        if user is None or user.id is None:
            raise WrongPassword()
        if not passwords.verify(user.password_hash, current):
            raise WrongPassword()
        accounts.change_password(uow.session, passwords, user, new)
        epoch = session_epoch(uow.connection, user.id)
        audit.add_by(uow.session, AuditKind.PASSWORD_CHANGED, actor, clock, user.id)
        uow.commit()
    return SignedIn(user, epoch)


@handler
def request_password_reset(
    uow: UnitOfWork, email: str, address: str, clock: Clock, valid_for: timedelta
) -> password_reset.ResetRequest | None:
    """Store a single-use reset token for the account with this address (None: no such
    account; recorded either way)."""
    now = clock.now()
    with uow:
        found = password_reset.request_reset(uow.session, email, now, valid_for)
        audit.add(
            uow.session,
            AuditKind.PASSWORD_RESET_REQUESTED,
            at=now,
            subject_id=found.user_id if found else None,
            address=address,
        )
        uow.commit()
    return found


@handler
def set_password_by_link(
    uow: UnitOfWork,
    token: str,
    purpose: str,
    new: str,
    address: str,
    clock: Clock,
    passwords: Passwords,
) -> int:
    """Set a password with a mailed token (once): a reset (password_reset.RESET) or the
    invited person's first (invitations.PURPOSE); returns the person's id. Raises
    password_reset.ResetRefused, accounts.AccountError."""
    now = clock.now()
    kind = (
        AuditKind.INVITATION_ACCEPTED
        if purpose == invitations.PURPOSE
        else AuditKind.PASSWORD_RESET
    )
    with uow:
        user_id = password_reset.reset_password(uow.session, passwords, token, new, now, purpose)
        audit.add(uow.session, kind, at=now, subject_id=user_id, address=address)
        uow.commit()
    return user_id
