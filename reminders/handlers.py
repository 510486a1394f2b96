"""Reminder handlers: a person's reminder choices, the unsubscribe link, resending a mail, and
making or renewing a calendar feed's secret address.

Each checks who may before it writes: a person changes only their own choices and makes their
own feed; the unsubscribe link's signature names the person (checked by the page); admins
resend. A workgroup's feed is made by the people who update its activities (its members, the
network's coordinators, admins: `Principal.require_update`); others of the network are
refused (403), outsiders see nothing (404).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from events.database import upsert_insert
from reminders import outbox
from tracker.accounts import token_hash
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal
from tracker.handlers.marker import handler
from tracker.models import Workgroup
from tracker.reminder_models import CalendarFeed, preference_of


@dataclass(frozen=True)
class SetReminderPreferences:
    """The signed-in person's own choice: a personal copy, the coordinators' digest."""

    actor: Principal
    personal_copy: bool
    digest: bool


@dataclass(frozen=True)
class Unsubscribe:
    """Switch every reminder of a person off: the person named by a signed link."""

    user_id: int


@dataclass(frozen=True)
class ResendReminder:
    """Put an undelivered (failed or uncertain) mail back in the queue (admins)."""

    actor: Principal
    outbox_id: int


@dataclass(frozen=True)
class RenewCalendarFeed:
    """Give a feed a new secret address (its first, or one replacing the old one)."""

    actor: Principal
    workgroup_id: int | None = None  # None: the actor's own feed


@handler
def set_preferences(uow: UnitOfWork, command: SetReminderPreferences, clock: Clock) -> None:
    if command.actor.user_id is None:
        raise NotFound("person")  # the operator has no reminders
    _store(uow, command.actor.user_id, command.personal_copy, command.digest, clock)


@handler
def unsubscribe(uow: UnitOfWork, command: Unsubscribe, clock: Clock) -> None:
    _store(uow, command.user_id, False, False, clock)


def _store(uow: UnitOfWork, user_id: int, personal_copy: bool, digest: bool, clock: Clock) -> None:
    with uow:
        preference = preference_of(uow.session, user_id)
        preference.personal_copy = personal_copy
        preference.digest = digest
        preference.updated_at = clock.now()
        uow.session.add(preference)
        uow.commit()


@handler
def resend(uow: UnitOfWork, command: ResendReminder, clock: Clock) -> None:
    """Raises NotFound when there is no undelivered mail with this id."""
    command.actor.require_admin()
    with uow:
        if not outbox.resend(uow.session, command.outbox_id, clock.now()):
            raise NotFound(command.outbox_id)
        uow.commit()


@handler
def renew_feed(uow: UnitOfWork, command: RenewCalendarFeed, clock: Clock) -> str:
    """The feed's new secret, to be shown once: only its SHA-256 is stored (as for API
    tokens), and the old address stops working at once."""
    actor = command.actor
    secret = secrets.token_urlsafe(32)
    with uow:
        if command.workgroup_id is None:
            if actor.user_id is None:
                raise NotFound("person")  # the operator has no feed of their own
            owner = {"user_id": actor.user_id}
        else:
            workgroup = uow.session.get(Workgroup, command.workgroup_id)
            if workgroup is None:
                raise NotFound(command.workgroup_id)
            actor.require_update(workgroup.network_id, [command.workgroup_id])
            owner = {"workgroup_id": command.workgroup_id}
        _store_feed(uow.session, token_hash(secret), clock.now(), **owner)
        uow.commit()
    return secret


def _store_feed(
    session: Session,
    secret_hash: str,
    now: datetime,
    *,
    user_id: int | None = None,
    workgroup_id: int | None = None,
) -> None:
    """Give the owner's feed this secret: one statement that makes its row or replaces the
    secret in it, so two requests making the same feed at once both succeed (the last
    one's address is the feed's) instead of one failing on the owner's unique key."""
    table: sa.Table = CalendarFeed.__table__  # type: ignore[attr-defined]
    values = {"secret_hash": secret_hash, "made_at": now}
    insert = upsert_insert(session.get_bind().dialect.name, table).values(
        user_id=user_id, workgroup_id=workgroup_id, **values
    )
    key = ["user_id"] if user_id is not None else ["workgroup_id"]
    session.execute(insert.on_conflict_do_update(index_elements=key, set_=values))
