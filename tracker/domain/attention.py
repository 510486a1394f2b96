"""What needs attention now: the overdue rule and the order in which lists show activities.

An activity is *over tijd* (overdue) from the day after its period ends while it is still
open; on its last day it is due, not yet overdue. An activity without an end (open-ended,
unreadable or no wanneer) is never overdue. Closed activities (finished, stopped, carried
over, withdrawn) need no attention and are folded away by the lists.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from tracker.domain.status import Status
from tracker.domain.timing import Timing, quarter_bounds, quarter_of


class Attention(IntEnum):
    """Why an activity is listed where it is; lower values come first."""

    OVERDUE = 0  # open, and its period ended before today
    DUE_NOW = 1  # open, and its period ends in the current quarter (today or later)
    ACTIVE_NOW = 2  # open, and its period runs in the current quarter
    LATER = 3  # open, nothing asked of it this quarter
    CLOSED = 4  # finished, stopped, carried over or withdrawn


def is_overdue(timing: Timing, status: Status, today: date) -> bool:
    """True when an open activity's period ended before `today`."""
    return status.is_open and timing.end is not None and timing.end < today


def attention(timing: Timing, status: Status, today: date) -> Attention:
    """The attention an activity needs on `today` (see Attention)."""
    if not status.is_open:
        return Attention.CLOSED
    if is_overdue(timing, status, today):
        return Attention.OVERDUE
    first, last = quarter_bounds(*quarter_of(today))
    if timing.ends_within(first, last):
        return Attention.DUE_NOW
    if timing.overlaps(first, last):
        return Attention.ACTIVE_NOW
    return Attention.LATER
