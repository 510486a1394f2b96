"""The Activity aggregate: an activity's tracked state, rebuilt from its own events.

The aggregate decides; it never stores. `decide_status_change` returns the events a status
update produces, or raises when the rules refuse it, so the caller can append them with the
version it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker.domain.events import (
    ActivityCarriedIn,
    ActivityCarriedOver,
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityStatusChanged,
    DomainEvent,
    ReminderSent,
    TargetProgressRecorded,
)
from tracker.domain.status import (
    Status,
    StatusError,
    TransitionRefused,
    check_transition,
    parse_status,
)

MAX_NOTE_LENGTH = 2000


class NoteTooLong(StatusError):
    code = "note_too_long"


class NothingToRecord(StatusError):
    """The same status without a note: there is nothing to append."""

    code = "nothing_to_record"


class UnknownTarget(StatusError):
    """The activity has no measurable target with this id."""

    code = "unknown_target"


class InvalidProgress(StatusError):
    """A progress value must be a number from 0 up to MAX_PROGRESS_VALUE."""

    code = "invalid_value"


MAX_PROGRESS_VALUE = 1_000_000_000


class ActivityNotPlanned(Exception):
    """The stream has no ActivityPlanned event: there is no such activity."""


@dataclass
class Activity:
    """The tracked state of one activity: its status and the version of its stream."""

    activity_id: str
    plan_id: int
    status: Status = Status.GEPLAND
    version: int = 0
    carried_from: str | None = None  # the activity of an earlier plan this one continues
    carried_to: str | None = None  # the activity of the next plan that continues this one
    # The version of the last event that changed what the activity is (not a reminder).
    decided_version: int = 0

    @classmethod
    def replay(cls, activity_id: str, events: Iterable[DomainEvent]) -> Activity:
        """Fold an activity's events, oldest first, into its current state."""
        activity: Activity | None = None
        for event in events:
            if isinstance(event, ActivityPlanned):
                activity = cls(activity_id, event.plan_id, carried_from=event.carried_from)
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
        elif isinstance(event, ActivityCarriedOver):
            self.status = Status.DOORGESCHOVEN
            self.carried_to = event.to_activity_id
        elif isinstance(event, ActivityCarriedIn):
            self.carried_from = event.carried_from
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

    def decide_progress(
        self, indicator_id: int, value: float, note: str, indicator_ids: Iterable[int]
    ) -> list[DomainEvent]:
        """Return the event recording `value` for one of this activity's targets, or raise.

        Progress can be recorded in any status: a finished activity may still report its
        final count.
        """
        note = note.strip()
        if len(note) > MAX_NOTE_LENGTH:
            raise NoteTooLong(f"note longer than {MAX_NOTE_LENGTH} characters")
        if indicator_id not in set(indicator_ids):
            raise UnknownTarget(f"no target {indicator_id} on this activity")
        if not (0 <= value <= MAX_PROGRESS_VALUE) or value != value:  # NaN is not a value
            raise InvalidProgress(f"value {value!r} outside 0..{MAX_PROGRESS_VALUE}")
        return [TargetProgressRecorded(self.activity_id, indicator_id, float(value), note)]

    def decide_carry_over(
        self, to_activity_id: str, to_plan_id: int, reason: str
    ) -> list[DomainEvent]:
        """Return the event carrying this unfinished activity into the next plan, or raise.

        Carrying over again to the same activity is not an error: it records nothing (so a
        year-end run can be repeated). Finished, stopped or elsewhere-carried work is refused.
        """
        reason = reason.strip()
        if self.carried_to == to_activity_id:
            return []
        if not self.status.is_open:
            raise TransitionRefused(self.status, Status.DOORGESCHOVEN, "closed")
        if not reason:
            raise TransitionRefused(self.status, Status.DOORGESCHOVEN, "reason_required")
        if len(reason) > MAX_NOTE_LENGTH:
            raise NoteTooLong(f"reason longer than {MAX_NOTE_LENGTH} characters")
        return [ActivityCarriedOver(self.activity_id, to_activity_id, to_plan_id, reason)]

    def decide_carried_in(self, carried_from: str, reason: str) -> list[DomainEvent]:
        """Link this (already planned) activity to the earlier one it continues, once."""
        if self.carried_from is not None:
            return []
        return [ActivityCarriedIn(self.activity_id, carried_from, reason.strip())]
