"""What people read about statuses, as Messages: each status's name and why an update is
refused (by the refusal's code, which the API also answers with)."""

from __future__ import annotations

from tracker.domain.message import Message
from tracker.domain.status import (
    ALLOWED_TRANSITIONS,
    SELECTABLE_STATUSES,
    Status,
    StatusError,
    TransitionRefused,
)

STATUS_LABELS: dict[str, Message] = {
    Status.GEPLAND: Message("Planned"),
    Status.LOPEND: Message("In progress"),
    Status.VERTRAAGD: Message("Delayed"),
    Status.AFGEROND: Message("Done"),
    Status.GESTOPT: Message("Stopped"),
    Status.DOORGESCHOVEN: Message("Carried over"),
    Status.VERVALLEN: Message("Withdrawn"),
}

REFUSALS: dict[str, Message] = {
    "unknown_status": Message("That status does not exist."),
    "unchanged": Message("The activity already has this status."),
    "closed": Message(
        "This activity is closed (done, stopped or carried over); its status can no longer change."
    ),
    "carry_over_only": Message(
        "Carrying over to next year's plan is done by the coordinators at year end, "
        "not with a status update."
    ),
    "reason_required": Message("Give a reason when you stop an activity."),
    "start_first": Message(
        "An activity that has not started cannot be done yet: set it to 'in progress' first."
    ),
    "not_allowed": Message("This status change is not possible."),
    "note_too_long": Message("The note is too long (at most 2000 characters)."),
    "nothing_to_record": Message(
        "Choose another status or write a note: there is nothing to save."
    ),
    "unknown_target": Message("This activity has no such target."),
    "invalid_value": Message("The value must be a number from 0 up to a billion."),
    "withdraw_only": Message(
        "Taking an activity out of the plan is done by the coordinators, with a reason."
    ),
    "reason_required_change": Message("Give a reason for this change."),
    "not_reopenable": Message("Only a done, stopped or withdrawn activity can be reopened."),
    "reopen_to_open": Message("Reopen to planned, in progress or delayed."),
    "nothing_changed": Message("Nothing was changed: there is nothing to save."),
    "title_required": Message("Give a title."),
    "theme_required": Message("Give a theme."),
    "too_long": Message("This text is too long."),
    "unknown_workgroup": Message("Choose workgroups of this network."),
    "title_taken": Message("This plan already has an activity with this title."),
    "theme_exists": Message("This plan already has a theme with this name."),
    "plan_exists": Message("This network already has a plan for that year."),
    "invalid_year": Message("Give a year from 2000 to 2100."),
    "happened_in_future": Message("The day it happened cannot be in the future."),
    "happened_before_plan_year": Message("The day it happened lies before the plan's year."),
    "happened_before_previous": Message(
        "The day it happened lies before the previous update of this activity."
    ),
    "quarter_not_ended": Message("This quarter has not ended yet: it can be closed after it."),
    "quarter_already_closed": Message("This quarter has already been closed."),
    "quarter_outside_plan_year": Message("Only a quarter of the plan's year can be closed."),
}


def status_name(status: str) -> Message | str:
    """A status's name for people; a status this code does not know, as it is stored."""
    return STATUS_LABELS.get(status, status)


def refusal(error: StatusError) -> Message:
    """Why a status update was refused; a transition outside the lifecycle also says where
    the activity can go."""
    message = REFUSALS.get(error.code, REFUSALS["not_allowed"])
    if isinstance(error, TransitionRefused) and error.code == "not_allowed":
        options = [s for s in SELECTABLE_STATUSES if s in ALLOWED_TRANSITIONS[error.current]]
        return Message(
            "%(refusal)s From '%(current)s' you can go to: %(options)s.",
            refusal=message,
            current=status_name(error.current),
            options=tuple(status_name(s) for s in options),
        )
    return message
