"""Closing a quarter (vaststellen): the coordinators fix the report of a quarter that has
ended as the one of record. Updates dated inside a closed quarter are still allowed (work
reported late is still work done), but they are flagged "na vaststelling" in the history
and in that quarter's report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from tracker.domain.access import Principal, Role
from tracker.domain.events import QuarterClosed
from tracker.domain.message import Message
from tracker.domain.period import Period
from tracker.domain.status import StatusError

ADMIN = "admin"  # `QuarterClosed.closed_as` of an administrator who is not the coordinator
CLOSED_AS_LABELS = {
    Role.COORDINATOR.value: Message("network coordinator"),
    ADMIN: Message("administrator"),
}


class ClosingRefused(StatusError):
    """A quarter that cannot be closed; `code` says why (translated in status_texts)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_closable(
    plan_year: int, period: Period, today: date, closed: Iterable[QuarterClosed]
) -> None:
    """Raise ClosingRefused unless `period` is a quarter of the plan's year that has ended
    by `today` and was not closed before."""
    if period.year != plan_year:
        raise ClosingRefused("quarter_outside_plan_year")
    if today <= period.last:
        raise ClosingRefused("quarter_not_ended")
    if any(closing_period(event) == period for event in closed):
        raise ClosingRefused("quarter_already_closed")


def closing_period(event: QuarterClosed) -> Period:
    return Period(event.year, event.quarter)


def known_at(event: QuarterClosed) -> datetime:
    """The moment the closed report was as known on."""
    return datetime.fromisoformat(event.known_at)


def closed_as(actor: Principal, network_id: int) -> str:
    """The role a closing is recorded under: the network's coordinator, or an admin."""
    return Role.COORDINATOR.value if actor.roles.get(network_id) is Role.COORDINATOR else ADMIN


def closing_overtaken(
    closed: Iterable[QuarterClosed], happened_on: date, recorded_at: datetime
) -> QuarterClosed | None:
    """The closing an update comes after: the one of the quarter the update is dated in,
    when the update was recorded after it ("na vaststelling"); else None."""
    period = Period.containing(happened_on)
    for event in closed:
        if closing_period(event) == period and recorded_at > known_at(event):
            return event
    return None
