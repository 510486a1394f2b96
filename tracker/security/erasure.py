"""A person's own data as JSON, and erasing a person (admin page and CLI).

Erasing keeps the `user` row (events name their actor by id, and the log is append-only) but
empties everything personal: name, e-mail address, password hash; roles, memberships, API
tokens, reset links, reminder choices, the personal calendar feed, import drafts; the
addresses in the audit trail; the text of reminder mails composed for them. The log still
replays, and its history shows "verwijderde gebruiker". Notes a person wrote in an
activity's history are part of the plan's record and are kept (they carry no account data).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from events.schema import events_table
from tracker.clock import as_utc
from tracker.models import (
    ApiToken,
    ImportDraft,
    Network,
    NetworkRole,
    User,
    Workgroup,
    WorkgroupMember,
)
from tracker.reminder_models import CalendarFeed, OutboxMessage, OutboxStatus, ReminderPreference
from tracker.security import audit
from tracker.security.audit import AuditKind
from tracker.security.models import AuditEntry, PasswordResetToken
from tracker.security.sessions import end_all_sessions

ERASED_PREFIX = "erased-"


def is_erased(user: User) -> bool:
    return user.email.startswith(ERASED_PREFIX) and not user.name


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def roles_and_workgroups(
    session: Session, user_id: int
) -> tuple[Sequence[tuple[NetworkRole, Network]], Sequence[tuple[Workgroup, Network]]]:
    """The person's roles and workgroups, each with its network."""
    roles = session.exec(
        select(NetworkRole, Network).join(Network).where(NetworkRole.user_id == user_id)
    ).all()
    groups = session.exec(
        select(Workgroup, Network)
        .join(WorkgroupMember, col(WorkgroupMember.workgroup_id) == col(Workgroup.id))
        .join(Network, col(Network.id) == col(Workgroup.network_id))
        .where(WorkgroupMember.user_id == user_id)
    ).all()
    return roles, groups


def personal_data(session: Session, user_id: int) -> dict[str, Any]:
    """Everything stored about the person, for them to keep (GDPR access/portability)."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    roles, groups = roles_and_workgroups(session, user_id)
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user_id)).all()
    preference = session.get(ReminderPreference, user_id)
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()
    entries = audit.latest(session, limit=10_000, user_id=user_id)
    rows = session.connection().execute(
        sa.select(events_table)
        .where(events_table.c.actor == user_id)
        .order_by(events_table.c.position)
    )
    updates = [
        {
            "activity": row.stream_id,
            "version": row.version,
            "type": row.type,
            "recorded_at": _moment(as_utc(row.recorded_at)),
            "data": json.loads(row.data),
        }
        for row in rows
    ]
    return {
        "person": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "administrator": user.is_admin,
            "active": user.active,
            "created_at": _moment(user.created_at),
        },
        "roles": [{"network": n.slug, "role": r.role} for r, n in roles],
        "workgroups": [{"network": n.slug, "workgroup": w.name} for w, n in groups],
        "api_tokens": [{"created_at": _moment(t.created_at)} for t in tokens],
        "reminder_choices": (
            {"personal_copy": preference.personal_copy, "digest": preference.digest}
            if preference
            else None
        ),
        "calendar_feed": {"made_at": _moment(feed.made_at)} if feed else None,
        "updates": updates,
        "audit_trail": [
            {
                "at": _moment(e.at),
                "kind": e.kind,
                "by_this_person": e.actor_id == user_id,
                "address": e.address,
                "detail": e.detail,
            }
            for e in entries
        ],
    }


def erase_person(session: Session, user_id: int, *, now: datetime, actor_id: int | None) -> None:
    """Remove the person's personal data (see the module docstring), in the caller's
    transaction; their sessions end."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    user.name = ""
    user.email = f"{ERASED_PREFIX}{user_id}"
    user.password_hash = ""
    user.active = False
    user.is_admin = False
    session.add(user)
    session.flush()
    connection = session.connection()
    for model in (
        NetworkRole,
        WorkgroupMember,
        ApiToken,
        PasswordResetToken,
        ReminderPreference,
        CalendarFeed,
        ImportDraft,
    ):
        table: sa.Table = model.__table__  # type: ignore[union-attr]
        connection.execute(sa.delete(table).where(table.c.user_id == user_id))
    audit_table: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]
    connection.execute(
        sa.update(audit_table)
        .where((audit_table.c.actor_id == user_id) | (audit_table.c.subject_id == user_id))
        .values(address="")
    )
    outbox: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
    connection.execute(
        sa.update(outbox)
        .where(outbox.c.user_id == user_id, outbox.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED)
    )
    connection.execute(
        sa.update(outbox)
        .where(outbox.c.user_id == user_id)
        .values(subject="", body_text="", body_html="", last_error="")
    )
    session.expire_all()
    end_all_sessions(session.connection(), user_id)
    audit.add(session, AuditKind.PERSON_ERASED, at=now, actor_id=actor_id, subject_id=user_id)
