"""Making and renewing the secret address of a calendar feed: a person's own, a workgroup's.

A person makes their own feed. A workgroup's feed is made by its members and by the
network's coordinators (and admins): the people who update its activities, so the rule is
`Principal.require_update` for that workgroup; others of the network are refused (403),
outsiders see nothing (404). Making a feed anew replaces its address, so the old address
stops working at once. The secret is returned once, to be shown once; only its SHA-256 is
stored (`tracker.accounts.token_hash`, as for API tokens).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from events.database import upsert_insert
from tracker.accounts import token_hash
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal
from tracker.handlers.marker import handler
from tracker.models import Workgroup
from tracker.reminder_models import CalendarFeed


@dataclass(frozen=True)
class RenewCalendarFeed:
    """Give a feed a new secret address (its first, or one replacing the old one)."""

    actor: Principal
    workgroup_id: int | None = None  # None: the actor's own feed


@handler
def renew_feed(uow: UnitOfWork, command: RenewCalendarFeed, clock: Clock) -> str:
    """The new secret of the feed; raises NotFound or Forbidden as the module doc says."""
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
        _store(uow.session, token_hash(secret), clock.now(), **owner)
        uow.commit()
    return secret


def _store(
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
