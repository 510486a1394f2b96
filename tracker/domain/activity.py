"""The Activity aggregate: an activity's tracked state, rebuilt from its own events.

The aggregate decides; it never stores. `decide_status_change` returns the events a status
update produces, or raises when the rules refuse it, so the caller can append them with the
version it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker.domain.events import (
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityStatusChanged,
    DomainEvent,
    ReminderSent,
)
from tracker.domain.status import Status, StatusError, check_transition, parse_status

MAX_NOTE_LENGTH = 2000


class NoteTooLong(StatusError):
    code = "note_too_long"


class NothingToRecord(StatusError):
    """The same status without a note: there is nothing to append."""

    code = "nothing_to_record"


class ActivityNotPlanned(Exception):
    """The stream has no ActivityPlanned event: there is no such activity."""


@dataclass
class Activity:
    """The tracked state of one activity: its status and the version of its stream."""

    activity_id: str
    plan_id: int
    status: Status = Status.GEPLAND
    version: int = 0
    # The version of the last event that changed what the activity is (not a reminder).
    decided_version: int = 0

    @classmethod
    def replay(cls, activity_id: str, events: Iterable[DomainEvent]) -> Activity:
        """Fold an activity's events, oldest first, into its current state."""
        activity: Activity | None = None
        for event in events:
            if isinstance(event, ActivityPlanned):
                activity = cls(activity_id, event.plan_id)
            elif activity is None:
                raise ActivityNotPlanned(activity_id)
            activity.apply(event)
        if activity is None:
            raise ActivityNotPlanned(activity_id)
        return activity

    def apply(self, event: DomainEvent) -> None:
        """Move this state forward by one event (a fact: it is never refused here)."""
        if isinstance(event, ActivityStatusChanged):
            self.status = Status(event.to_status)
        self.version += 1
        if not isinstance(event, ReminderSent):
            self.decided_version = self.version

    def is_stale(self, seen_version: int) -> bool:
        """Whether a decision made by someone who saw `seen_version` no longer holds.

        Only events that change the activity make it stale; a reminder delivered since (which
        adds a ReminderSent to the stream) does not, so a person who opened the update form
        before the quarterly mail went out can still save their update.
        """
        return not self.decided_version <= seen_version <= self.version

    def record_reminder(
        self,
        kind: str,
        period: str,
        outbox_id: int,
        workgroup_id: int | None = None,
        user_id: int | None = None,
    ) -> list[DomainEvent]:
        """The event for a delivered reminder that listed this activity (never refused: the
        mail has gone out, whatever the activity's status is now)."""
        return [ReminderSent(self.activity_id, kind, period, outbox_id, workgroup_id, user_id)]

    def decide_status_change(self, requested: str, note: str) -> list[DomainEvent]:
        """Return the events for moving to `requested` with `note`, or raise a StatusError.

        The same status with a note records progress (ActivityNoteAdded); a different status
        must be a transition the lifecycle allows.
        """
        note = note.strip()
        if len(note) > MAX_NOTE_LENGTH:
            raise NoteTooLong(f"note longer than {MAX_NOTE_LENGTH} characters")
        target = parse_status(requested)
        if target is self.status and self.status.is_open:
            if not note:
                raise NothingToRecord("same status and no note")
            return [ActivityNoteAdded(self.activity_id, status=self.status.value, note=note)]
        check_transition(self.status, target, note)
        return [
            ActivityStatusChanged(
                self.activity_id,
                from_status=self.status.value,
                to_status=target.value,
                note=note,
            )
        ]
