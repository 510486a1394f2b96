"""The status lifecycle of an activity in a jaarplan.

gepland → lopend ⇄ vertraagd → afgerond, and any open status → gestopt (with a reason).
`doorgeschoven` (carried over into the next year's plan) is reached only by carry-over, and
`vervallen` (taken out of the plan) only by a coordinator's withdrawal; a coordinator can
reopen afgerond, gestopt and vervallen activities.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The statuses an activity can have; the values are the users' own Dutch words."""

    GEPLAND = "gepland"
    LOPEND = "lopend"
    VERTRAAGD = "vertraagd"
    AFGEROND = "afgerond"
    GESTOPT = "gestopt"
    DOORGESCHOVEN = "doorgeschoven"
    VERVALLEN = "vervallen"

    @property
    def is_open(self) -> bool:
        """Open activities still need work; closed ones are finished, stopped or carried over."""
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({Status.GEPLAND, Status.LOPEND, Status.VERTRAAGD})
# Closed statuses a coordinator can reopen (carried-over work goes on in the next plan).
REOPENABLE = frozenset({Status.AFGEROND, Status.GESTOPT, Status.VERVALLEN})

# Transitions a person may make with a status update. Planned work that has not started on
# time may be marked delayed directly: that is how the networks report it to their board.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.GEPLAND: frozenset({Status.LOPEND, Status.VERTRAAGD, Status.GESTOPT}),
    Status.LOPEND: frozenset({Status.VERTRAAGD, Status.AFGEROND, Status.GESTOPT}),
    Status.VERTRAAGD: frozenset({Status.LOPEND, Status.AFGEROND, Status.GESTOPT}),
    Status.AFGEROND: frozenset(),
    Status.GESTOPT: frozenset(),
    Status.DOORGESCHOVEN: frozenset(),
    Status.VERVALLEN: frozenset(),
}

# Statuses a person can choose in an update form (doorgeschoven is set by carry-over only).
SELECTABLE_STATUSES: tuple[Status, ...] = (
    Status.GEPLAND,
    Status.LOPEND,
    Status.VERTRAAGD,
    Status.AFGEROND,
    Status.GESTOPT,
)


def allowed_targets(current: Status) -> tuple[Status, ...]:
    """The statuses an update form may offer from `current` (itself first, for a note)."""
    if not current.is_open:
        return ()
    return (current,) + tuple(s for s in SELECTABLE_STATUSES if s in ALLOWED_TRANSITIONS[current])


def parse_status(value: str) -> Status:
    """Return the Status named by `value`, or raise UnknownStatus."""
    try:
        return Status(value.strip().lower())
    except ValueError:
        raise UnknownStatus(value) from None


class StatusError(Exception):
    """A status update the rules refuse. `code` names the rule for translation and the API."""

    code = "status_error"


class UnknownStatus(StatusError):
    code = "unknown_status"

    def __init__(self, value: str) -> None:
        super().__init__(f"unknown status {value!r}")
        self.value = value


class TransitionRefused(StatusError):
    """The requested transition is not in the lifecycle; `code` says which rule refused it."""

    def __init__(self, current: Status, requested: Status, code: str) -> None:
        super().__init__(f"cannot go from {current} to {requested} ({code})")
        self.current = current
        self.requested = requested
        self.code = code


def check_transition(current: Status, requested: Status, note: str) -> None:
    """Raise TransitionRefused unless a person may move an activity from `current` to `requested`.

    The codes distinguish the reasons a user needs to hear: the activity is already closed,
    carry-over is not a status update, stopping needs a reason, or the step skips the lifecycle.
    """
    if requested is Status.DOORGESCHOVEN:
        raise TransitionRefused(current, requested, "carry_over_only")
    if requested is Status.VERVALLEN:
        raise TransitionRefused(current, requested, "withdraw_only")
    if not current.is_open:
        raise TransitionRefused(current, requested, "closed")
    if requested is current:
        raise TransitionRefused(current, requested, "unchanged")
    if requested is Status.GESTOPT and not note.strip():
        raise TransitionRefused(current, requested, "reason_required")
    if requested not in ALLOWED_TRANSITIONS[current]:
        if requested is Status.AFGEROND:
            raise TransitionRefused(current, requested, "start_first")
        raise TransitionRefused(current, requested, "not_allowed")
