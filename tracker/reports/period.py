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
    """The moment a report shows the state of: the end of the quarter, or of an earlier day
    in it given as the report's date. A quarter that has not ended yet is shown as it stands
    now, never in the future."""
    day = period.last if as_of is None else min(as_of, period.last)
    return min(end_of_day(day), now)


def report_known(as_of: date | None, now: datetime) -> datetime:
    """Up to when recorded updates count: the end of the report's date, or now. Updates
    recorded after the quarter but dated inside it (in answer to the reminder) count for the
    quarter; a report of a past date leaves out what was recorded after it, so it gives the
    same bytes whenever it is made."""
    return now if as_of is None else min(end_of_day(as_of), now)
