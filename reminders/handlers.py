"""Reminder handlers: a person's reminder choices, the unsubscribe link, resending a mail.

Each checks who may before it writes: a person changes only their own choices; the
unsubscribe link's signature names the person (checked by the page); admins resend.
"""

from __future__ import annotations

from dataclasses import dataclass

from reminders import outbox
from tracker.clock import Clock
from tracker.database import UnitOfWork
from tracker.domain.access import NotFound, Principal
from tracker.handlers.marker import handler
from tracker.reminder_models import preference_of


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
