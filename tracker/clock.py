"""Time, behind a small interface so tests and the scheduler can control it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from tracker.domain.period import AMSTERDAM

__all__ = ["AMSTERDAM", "Clock", "FixedClock", "ShiftedClock", "SystemClock", "as_utc"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class ShiftedClock:
    """The real time moved by a fixed offset: an app that runs as if today were another day
    (a demo inside its plan's year, a training), its time going on as the real time does."""

    offset: timedelta

    @classmethod
    def from_today(cls, today: date, real_now: datetime | None = None) -> ShiftedClock:
        """A clock on which the current moment falls on `today` (at the same time of day)."""
        now = real_now or datetime.now(UTC)
        return cls(timedelta(days=(today - now.astimezone(AMSTERDAM).date()).days))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class FixedClock:
    """A clock that stands still until moved: for tests and for replaying a past date."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta


def as_utc(value: datetime | None) -> datetime | None:
    """A stored moment in UTC: moments are written in UTC, and SQLite gives them back
    without a zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
