"""The moment a report is "as of": the end of a day in Amsterdam, or of a quarter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tracker.clock import AMSTERDAM
from tracker.domain.period import Period


def end_of_day(day: date) -> datetime:
    """The last moment of a day in Amsterdam, in UTC (what "as of 30 June" means)."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM)
    return (next_midnight - timedelta(microseconds=1)).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def report_moment(period: Period, as_of: date | None, now: datetime) -> datetime:
    """The moment a report shows: the end of the given day, else the end of the quarter.

    A quarter that has not ended yet is shown as it stands now, never in the future.
    """
    moment = end_of_day(as_of or period.last)
    return min(moment, now)
