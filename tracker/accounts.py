"""Creating people and giving them roles: shared by the admin pages, the CLI and the demo."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from tracker.domain.access import Role
from tracker.domain.message import Message, MessageError
from tracker.models import ApiToken, NetworkRole, User, WorkgroupMember
from tracker.passwords import Passwords
from tracker.security.password_strength import personal_words
from tracker.security.passwords_policy import password_problem
from tracker.security.sessions import end_all_sessions


class AccountError(MessageError):
    """A person cannot be created or changed as asked; the message says why."""


def token_hash(token: str) -> str:
    """How API tokens are stored and looked up: SHA-256 (tokens are long and random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    passwords: Passwords,
    *,
    email: str,
    name: str,
    password: str,
    is_admin: bool = False,
    now: datetime | None = None,
) -> User:
    """Add a person; refuses a duplicate e-mail address or a weak password."""
    email = normalise_email(email)
    check_password(password, personal_words(name, email))
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise AccountError(Message("an account with this e-mail address exists already"))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=passwords.hash(password),
        is_admin=is_admin,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def check_password(password: str, known: Iterable[str] = ()) -> None:
    """Raise AccountError when the password is too short, common or easy to guess (`known`:
    the person's own words)."""
    problem = password_problem(password, known)
    if problem is not None:
        raise AccountError(problem)


def change_password(session: Session, passwords: Passwords, user: User, password: str) -> None:
    """Set a new password and end every session of the person (the caller signs in anew)."""
    check_password(password, personal_words(user.name, user.email))
    assert user.id is not None
    user.password_hash = passwords.hash(password)
    session.add(user)
    session.flush()
    end_all_sessions(session.connection(), user.id)


def set_active(session: Session, user: User, active: bool) -> None:
    """(De)activate a person; deactivation ends every session (API tokens stop working too)."""
    assert user.id is not None
    user.active = active
    session.add(user)
    session.flush()
    if not active:
        end_all_sessions(session.connection(), user.id)


def set_role(session: Session, user_id: int, network_id: int, role: Role) -> None:
    """Give a person one role in a network (replacing any earlier role there)."""
    existing = session.get(NetworkRole, (user_id, network_id))
    if existing is None:
        session.add(NetworkRole(user_id=user_id, network_id=network_id, role=role.value))
    else:
        existing.role = role.value
        session.add(existing)
    session.flush()


def add_to_workgroup(session: Session, user_id: int, workgroup_id: int) -> None:
    if session.get(WorkgroupMember, (user_id, workgroup_id)) is None:
        session.add(WorkgroupMember(user_id=user_id, workgroup_id=workgroup_id))
        session.flush()


def create_token(session: Session, user_id: int, now: datetime) -> str:
    """A new API token for a person; only its hash is stored, the token is returned once."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=token_hash(token), created_at=now))
    session.flush()
    return token
