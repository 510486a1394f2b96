"""The Activity aggregate: an activity's tracked state, rebuilt from its own events.

The aggregate decides; it never stores. `decide_status_change` returns the events a status
update produces, or raises when the rules refuse it, so the caller can append them with the
version it read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.domain.events import (
    ActivityCarriedIn,
    ActivityCarriedOver,
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityReopened,
    ActivityStatusChanged,
    ActivityWithdrawn,
    DomainEvent,
    Recorded,
    ReminderSent,
    TargetProgressRecorded,
    words_of,
)
from tracker.domain.period import AMSTERDAM
from tracker.domain.status import (
    REOPENABLE,
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


class HappenedOutOfBounds(StatusError):
    """The day an update says it happened is in the future, before the plan's year, or
    before the activity's previous update happened; `code` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ActivityNotPlanned(Exception):
    """The stream has no ActivityPlanned event: there is no such activity."""


@dataclass(frozen=True)
class HappenedOn:
    """The day an update says it happened, with what bounds it: not after `today`, not
    before the plan's year, not before the activity's previous update happened."""

    day: date
    today: date
    plan_year: int


def evolve(activity: Activity | None, recorded: Recorded) -> Activity | None:
    """The state after one more event: a new Activity for ActivityPlanned, the same one
    moved forward otherwise (None while the stream has not planned an activity)."""
    event = recorded.event
    if isinstance(event, ActivityPlanned):
        activity = Activity(
            event.activity_id,
            event.plan_id,
            planned_at=recorded.at,
            carried_from=event.carried_from,
            carry_reason=event.carry_over_reason,
        )
        activity.version = activity.decided_version = recorded.version
        return activity
    if activity is not None:
        activity.apply(recorded)
    return activity


@dataclass
class Activity:
    """The tracked state of one activity, folded from its events: the one definition of how
    an event changes an activity. The read model (`activity_state`) is this state as a row,
    kept with every append; reports fold the events up to a moment through it too."""

    activity_id: str
    plan_id: int
    status: Status = Status.GEPLAND
    version: int = 0
    # The version of the last event that changed what the activity is (not a reminder).
    decided_version: int = 0
    planned_at: datetime | None = None
    last_update_at: datetime | None = None  # the last update by the people responsible
    last_update_by: int | None = None
    last_happened_at: datetime | None = None  # when what it recorded happened (may be earlier)
    last_note: str = ""
    carried_from: str | None = None  # the activity of an earlier plan this one continues
    carry_reason: str = ""  # why it continues (given at the carry-over)
    carried_to: str | None = None  # the activity of the next plan that continues this one
    finished_at: datetime | None = None  # when it became afgerond (the day given, if any)
    target_values: dict[int, float] = field(default_factory=dict)  # latest per target

    @classmethod
    def replay(cls, activity_id: str, events: Iterable[Recorded]) -> Activity:
        """Fold an activity's events, oldest first, into its state."""
        activity = cls.fold(events)
        if activity is None:
            raise ActivityNotPlanned(activity_id)
        return activity

    @classmethod
    def fold(
        cls,
        events: Iterable[Recorded],
        until: datetime | None = None,
        happened_by: datetime | None = None,
    ) -> Activity | None:
        """The state after the events recorded up to `until` (inclusive) that happened by
        `happened_by` (an update dated earlier than it was recorded counts from its day);
        None before it is planned."""
        activity: Activity | None = None
        for recorded in events:
            if until is not None and recorded.at > until:
                break
            if happened_by is not None and recorded.happened_at > happened_by:
                continue
            activity = evolve(activity, recorded)
        return activity

    def apply(self, recorded: Recorded) -> None:
        """Move this state forward by one event (a fact: it is never refused here)."""
        event = recorded.event
        if isinstance(event, ActivityStatusChanged):
            self.status = Status(event.to_status)
            if self.status is Status.AFGEROND:
                self.finished_at = recorded.happened_at
        elif isinstance(event, ActivityCarriedOver):
            self.status = Status.DOORGESCHOVEN
            self.carried_to = event.to_activity_id
        elif isinstance(event, ActivityCarriedIn):
            self.carried_from = event.carried_from
            self.carry_reason = event.reason
        elif isinstance(event, ActivityWithdrawn):
            self.status = Status.VERVALLEN
        elif isinstance(event, ActivityReopened):
            self.status = Status(event.to_status)
            self.finished_at = None
        elif isinstance(event, TargetProgressRecorded):
            self.target_values = {**self.target_values, event.indicator_id: event.value}
        if event.is_update:
            self.last_update_at = recorded.at
            self.last_happened_at = recorded.happened_at
            self.last_update_by = recorded.actor
            self.last_note = words_of(event) or self.last_note
        self.version = recorded.version
        if not isinstance(event, ReminderSent):
            self.decided_version = recorded.version

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

    def decide_status_change(
        self, requested: str, note: str, happened: HappenedOn | None = None
    ) -> list[DomainEvent]:
        """Return the events for moving to `requested` with `note`, or raise a StatusError.

        The same status with a note records progress (ActivityNoteAdded); a different status
        must be a transition the lifecycle allows. `happened` dates the update on the day it
        happened (see HappenedOn for the bounds).
        """
        day = self._happened_on(happened)
        note = _within_limit(note, "note")
        target = parse_status(requested)
        if target is self.status and self.status.is_open:
            if not note:
                raise NothingToRecord("same status and no note")
            return [ActivityNoteAdded(self.activity_id, self.status.value, note, day)]
        check_transition(self.status, target, note)
        return [ActivityStatusChanged(self.activity_id, self.status.value, target.value, note, day)]

    def decide_progress(
        self,
        indicator_id: int,
        value: float,
        note: str,
        indicator_ids: Iterable[int],
        happened: HappenedOn | None = None,
    ) -> list[DomainEvent]:
        """Return the event recording `value` for one of this activity's targets, or raise.

        Progress can be recorded in any status: a finished activity may still report its
        final count.
        """
        day = self._happened_on(happened)
        note = _within_limit(note, "note")
        if indicator_id not in set(indicator_ids):
            raise UnknownTarget(f"no target {indicator_id} on this activity")
        if not (0 <= value <= MAX_PROGRESS_VALUE) or value != value:  # NaN is not a value
            raise InvalidProgress(f"value {value!r} outside 0..{MAX_PROGRESS_VALUE}")
        return [TargetProgressRecorded(self.activity_id, indicator_id, float(value), note, day)]

    def _happened_on(self, happened: HappenedOn | None) -> str | None:
        """The ISO day an update happened on, checked against its bounds; None: today."""
        if happened is None:
            return None
        if happened.day > happened.today:
            raise HappenedOutOfBounds("happened_in_future")
        if happened.day.year < happened.plan_year:
            raise HappenedOutOfBounds("happened_before_plan_year")
        previous = self.last_happened_at
        if previous is not None and happened.day < previous.astimezone(AMSTERDAM).date():
            raise HappenedOutOfBounds("happened_before_previous")
        return happened.day.isoformat()

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
        reason = _within_limit(reason, "reason")
        return [ActivityCarriedOver(self.activity_id, to_activity_id, to_plan_id, reason)]

    def decide_carried_in(self, carried_from: str, reason: str) -> list[DomainEvent]:
        """Link this (already planned) activity to the earlier one it continues, once."""
        if self.carried_from is not None:
            return []
        return [ActivityCarriedIn(self.activity_id, carried_from, reason.strip())]

    def decide_withdrawal(self, reason: str) -> list[DomainEvent]:
        """Return the event taking this activity out of the plan (vervallen), or raise.

        Any status but vervallen and doorgeschoven (carried work goes on in the next plan);
        a reason is required: the board reads why an activity left the plan.
        """
        reason = _reason(reason, self.status, Status.VERVALLEN)
        if self.status in (Status.VERVALLEN, Status.DOORGESCHOVEN):
            raise TransitionRefused(self.status, Status.VERVALLEN, "closed")
        return [ActivityWithdrawn(self.activity_id, self.status.value, reason)]

    def decide_reopening(self, requested: str, reason: str) -> list[DomainEvent]:
        """Return the event opening a closed activity again in the open status `requested`
        (afgerond, gestopt and vervallen can be reopened), or raise."""
        target = parse_status(requested)
        reason = _reason(reason, self.status, target)
        if self.status not in REOPENABLE:
            raise TransitionRefused(self.status, target, "not_reopenable")
        if not target.is_open:
            raise TransitionRefused(self.status, target, "reopen_to_open")
        return [ActivityReopened(self.activity_id, self.status.value, target.value, reason)]


def _reason(reason: str, current: Status, requested: Status) -> str:
    """A coordinator's reason for a withdrawal or reopening: required, at most a note long."""
    reason = reason.strip()
    if not reason:
        raise TransitionRefused(current, requested, "reason_required_change")
    return _within_limit(reason, "reason")


def _within_limit(text: str, what: str) -> str:
    """A note or a reason, stripped; NoteTooLong when longer than MAX_NOTE_LENGTH."""
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise NoteTooLong(f"{what} longer than {MAX_NOTE_LENGTH} characters")
    return text
