"""Report periods ("2021Q3") and the moment a report is "as of"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tracker.clock import AMSTERDAM
from tracker.domain.timing import quarter_bounds

_PERIOD = re.compile(r"^\s*((?:19|20)\d\d)\s*-?\s*[qQkK]([1-4])\s*$")


class BadPeriod(ValueError):
    """Not a period like 2021Q3."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2021Q3' (also '2021-Q3', '2021K3') → Period(2021, 3)."""
        match = _PERIOD.match(text)
        if match is None:
            raise BadPeriod(f"not a period like 2021Q3: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        """Dutch: "3e kwartaal 2021"."""
        return f"{self.quarter}e kwartaal {self.year}"

    @property
    def first_day(self) -> date:
        return quarter_bounds(self.year, self.quarter)[0]

    @property
    def last_day(self) -> date:
        return quarter_bounds(self.year, self.quarter)[1]

    @property
    def previous(self) -> Period:
        return (
            Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        )


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
    moment = end_of_day(as_of or period.last_day)
    return min(moment, now)
