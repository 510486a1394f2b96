"""When reminders are due: quarters, the three kinds of reminder, and catching up after downtime.

Pure: standard library only. Every moment is timezone-aware; the schedule is read in the
network's own time (Europe/Amsterdam by default), so 08:00 stays 08:00 across summer time.

The scheduler only wakes the process; what is sent is decided here and by the outbox: for
each kind, the latest scheduled moment that has passed is due unless it was already done,
is more than the grace period ago, or its quarter has ended. A process that was down across
a quarter boundary therefore sends the missed reminder once when it starts, and never the
reminders of older quarters (coalesced).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tracker.domain.period import Period


class ReminderKind(StrEnum):
    QUARTERLY = "quarterly"  # start of the quarter: what is active or due in it
    DUE_SOON = "due-soon"  # shortly before the quarter ends: what is due and not finished
    DIGEST = "digest"  # a week after the quarterly reminder: who has not answered


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the Dutch holidays that can fall at the start of a quarter:
    Nieuwjaarsdag (1 January) and Tweede Paasdag (Easter Monday, sometimes early April)."""
    if day.weekday() >= 5:
        return False
    return day != date(day.year, 1, 1) and day != easter_sunday(day.year) + timedelta(days=1)


def working_day(period: Period, number: int) -> date:
    """The `number`-th working day (1 = first) of a quarter."""
    day, seen = period.first, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == number:
                return day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """When each kind is sent; the defaults are the issue's (and `config.py`'s) defaults."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    at: time = time(8, 0)
    quarterly_working_day: int = 1  # the first working day of the quarter
    due_soon_days: int = 14  # days before the quarter's last day
    digest_days: int = 7  # days after the quarterly reminder
    grace: timedelta = timedelta(days=7)  # how late a missed run is still made up
    kinds: tuple[ReminderKind, ...] = tuple(ReminderKind)

    def day_of(self, kind: ReminderKind, period: Period) -> date:
        """The calendar day on which `kind` is sent for `period`."""
        quarterly = working_day(period, self.quarterly_working_day)
        if kind is ReminderKind.QUARTERLY:
            return quarterly
        if kind is ReminderKind.DUE_SOON:
            return period.last - timedelta(days=self.due_soon_days)
        return quarterly + timedelta(days=self.digest_days)

    def moment(self, kind: ReminderKind, period: Period) -> datetime:
        """The moment `kind` is scheduled for `period` (timezone-aware, local time)."""
        return datetime.combine(self.day_of(kind, period), self.at, tzinfo=self.timezone)

    def latest(self, kind: ReminderKind, now: datetime) -> tuple[Period, datetime]:
        """The last scheduled (period, moment) of `kind` at or before `now`."""
        period = Period.containing(now.astimezone(self.timezone).date())
        while self.moment(kind, period) > now:
            period = period.previous()
        return period, self.moment(kind, period)

    def following(self, kind: ReminderKind, after: datetime) -> datetime:
        """The first scheduled moment of `kind` strictly after `after`."""
        period = Period.containing(after.astimezone(self.timezone).date()).previous()
        while self.moment(kind, period) <= after:
            period = period.next()
        return self.moment(kind, period)


@dataclass(frozen=True)
class Run:
    """One kind of reminder for one quarter: the unit that is done once."""

    kind: ReminderKind
    period: Period


def due_runs(schedule: Schedule, now: datetime, done: Collection[Run]) -> list[Run]:
    """The runs to make now: per kind, the latest scheduled one, unless already done, more
    than `schedule.grace` late, or belonging to a quarter that has ended (see module doc)."""
    due = []
    for kind in schedule.kinds:
        period, moment = schedule.latest(kind, now)
        run = Run(kind, period)
        still_relevant = now.astimezone(schedule.timezone).date() <= period.last
        if run not in done and now - moment <= schedule.grace and still_relevant:
            due.append(run)
    return due
