"""Quarters of a plan year, written "2021Q2": what reminders are sent for and reports cover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from tracker.domain.message import Message
from tracker.domain.timing import quarter_bounds, quarter_of

# The networks' time zone: days, quarters and "as of" dates are days in Amsterdam.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class PeriodError(ValueError):
    """A period that cannot be read, e.g. "2021Q5"."""


_PERIOD = re.compile(r"^\s*(?P<year>(?:19|20)\d\d)\s*-?\s*[QqKk](?P<quarter>[1-4])\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A quarter of a year, written "2021Q2" (the key reminders are sent and counted by)."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "2021Q2" (also "2021-q2", Dutch "2021K2"); raise PeriodError otherwise."""
        match = _PERIOD.match(text)
        if match is None:
            raise PeriodError(f"not a quarter like 2021Q2: {text!r}")
        return cls(int(match["year"]), int(match["quarter"]))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(*quarter_of(day))

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def first(self) -> date:
        return quarter_bounds(self.year, self.quarter)[0]

    @property
    def last(self) -> date:
        return quarter_bounds(self.year, self.quarter)[1]

    @property
    def label(self) -> Message:
        """Its name for people: "Q2 2021" ("2e kwartaal 2021" in Dutch)."""
        return Message("Q%(quarter)s %(year)s", quarter=self.quarter, year=self.year)

    def next(self) -> Period:
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)


# The days a person may ask about (a report "as of"): a plan's years lie well inside, and
# nothing computed from a day in this range overflows a date.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
