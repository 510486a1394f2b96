"""What people read: status names and the reasons a status update is refused."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tracker.domain.status import Status, StatusError, TransitionRefused

STATUS_LABELS: dict[str, LazyString] = {
    Status.GEPLAND: _l("Planned"),
    Status.LOPEND: _l("In progress"),
    Status.VERTRAAGD: _l("Delayed"),
    Status.AFGEROND: _l("Done"),
    Status.GESTOPT: _l("Stopped"),
    Status.DOORGESCHOVEN: _l("Carried over"),
}

REFUSALS: dict[str, LazyString] = {
    "unknown_status": _l("That status does not exist."),
    "unchanged": _l("The activity already has this status."),
    "closed": _l(
        "This activity is closed (done, stopped or carried over); its status can no longer change."
    ),
    "carry_over_only": _l(
        "Carrying over to next year's plan is done by the coordinators at year end, "
        "not with a status update."
    ),
    "reason_required": _l("Give a reason when you stop an activity."),
    "start_first": _l(
        "An activity that has not started cannot be done yet: set it to 'in progress' first."
    ),
    "not_allowed": _l("This status change is not possible."),
    "note_too_long": _l("The note is too long (at most 2000 characters)."),
    "nothing_to_record": _l("Choose another status or write a note: there is nothing to save."),
    "unknown_target": _l("This activity has no such target."),
    "invalid_value": _l("The value must be a number from 0 up to a billion."),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def refusal_message(error: StatusError) -> str:
    """The reason, in the reader's language, why a status update was refused."""
    message = REFUSALS.get(error.code, REFUSALS["not_allowed"])
    if isinstance(error, TransitionRefused) and error.code == "not_allowed":
        return (
            str(message)
            + " "
            + str(
                _l(
                    "From '%(current)s' you can go to: %(options)s.",
                    current=status_label(error.current),
                    options=", ".join(status_label(s) for s in _next_statuses(error.current)),
                )
            )
        )
    return str(message)


def _next_statuses(current: Status) -> list[Status]:
    from tracker.domain.status import ALLOWED_TRANSITIONS, SELECTABLE_STATUSES

    return [s for s in SELECTABLE_STATUSES if s in ALLOWED_TRANSITIONS[current]]
