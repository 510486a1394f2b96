"""The audit trail: failed logins, lockouts, refusals, every admin action, exports (who, when,
where).

Entries carry ids, never names, e-mail addresses, passwords or tokens; `detail` holds what
else the entry needs as `key=value&…` (written by `fields`, read by `parse`), so that a
renamed workgroup or an erased person reads correctly later. `add` writes in the caller's
transaction (a role change and its entry commit together); `record` commits on its own (a
refusal is recorded even though the request it belongs to changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session, col, select

from tracker.clock import Clock
from tracker.database import Database, handling
from tracker.domain.access import Principal
from tracker.security.models import AuditEntry


class AuditKind(StrEnum):
    SIGNED_IN = "signed_in"
    LOGIN_FAILED = "login_failed"
    ACCOUNT_LOCKED = "account_locked"
    LOGIN_THROTTLED = "login_throttled"
    ACCESS_REFUSED = "access_refused"
    ROLE_CHANGED = "role_changed"
    NETWORK_ADDED = "network_added"
    WORKGROUP_ADDED = "workgroup_added"
    PERSON_CREATED = "person_created"
    MEMBERSHIP_ADDED = "membership_added"
    MEMBERSHIP_REMOVED = "membership_removed"
    EXPORT = "export"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET = "password_reset"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    PERSON_ERASED = "person_erased"
    TOKEN_CREATED = "token_created"
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"


def fields(**values: int | str) -> str:
    """The `detail` of an entry: ids and short codes, never names or addresses."""
    return urlencode(values)


def parse(detail: str) -> dict[str, str]:
    """The fields of a `detail` written by `fields`; {} for an older free-text detail."""
    try:
        return dict(parse_qsl(detail, strict_parsing=True)) if "=" in detail else {}
    except ValueError:
        return {}


def add(
    session: Session,
    kind: AuditKind,
    *,
    at: datetime,
    actor_id: int | None = None,
    subject_id: int | None = None,
    address: str = "",
    detail: str = "",
) -> None:
    """Add an entry to the caller's transaction."""
    session.add(
        AuditEntry(
            at=at,
            kind=kind.value,
            actor_id=actor_id,
            subject_id=subject_id,
            address=address[:64],
            detail=detail[:300],
        )
    )


def add_by(
    session: Session,
    kind: AuditKind,
    actor: Principal,
    clock: Clock,
    subject_id: int | None = None,
    detail: str = "",
) -> None:
    """Add an entry by the acting person, now, from the address their request came from."""
    add(
        session,
        kind,
        at=clock.now(),
        actor_id=actor.user_id,
        subject_id=subject_id,
        address=actor.address,
        detail=detail,
    )


def record(
    db: Database,
    kind: AuditKind,
    *,
    at: datetime,
    actor_id: int | None = None,
    subject_id: int | None = None,
    address: str = "",
    detail: str = "",
) -> None:
    """Write an entry in a transaction of its own (the audit trail is the service layer's:
    it may write where views may not, see tracker.database.handling)."""
    with handling(), db.unit_of_work() as uow:
        add(
            uow.session,
            kind,
            at=at,
            actor_id=actor_id,
            subject_id=subject_id,
            address=address,
            detail=detail,
        )
        uow.commit()


def latest(
    session: Session,
    *,
    limit: int = 200,
    kind: str | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Sequence[AuditEntry]:
    """The newest entries first, optionally of one kind, about/by one person, or from
    `since` up to (not including) `before`."""
    query = select(AuditEntry)
    if kind:
        query = query.where(AuditEntry.kind == kind)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if before is not None:
        query = query.where(col(AuditEntry.at) < before)
    if user_id is not None:
        query = query.where(
            (col(AuditEntry.actor_id) == user_id) | (col(AuditEntry.subject_id) == user_id)
        )
    return session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)).all()
