"""The app's clocks: a shifted clock runs on from another day; the demo's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.clock import AMSTERDAM, ShiftedClock
from tracker.demo import demo_today


def test_a_shifted_clock_falls_on_the_chosen_day_and_runs_on() -> None:
    clock = ShiftedClock.from_today(date(2021, 10, 12))
    first = clock.now()
    assert first.astimezone(AMSTERDAM).date() == date(2021, 10, 12)
    assert first.tzinfo is not None
    assert timedelta(0) <= clock.now() - first < timedelta(seconds=5)


def test_the_shift_is_whole_days_so_the_time_of_day_is_the_real_one() -> None:
    real = datetime(2026, 12, 2, 8, 15, tzinfo=UTC)
    clock = ShiftedClock.from_today(date(2021, 12, 2), real_now=real)
    assert clock.offset == date(2021, 12, 2) - date(2026, 12, 2)


@pytest.mark.parametrize(
    ("real", "demo"),
    [
        (datetime(2026, 12, 2, 10, tzinfo=UTC), date(2021, 12, 2)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2021, 1, 1)),  # already 1 January
        (datetime(2028, 2, 29, 12, tzinfo=UTC), date(2021, 2, 28)),  # 2021 has no 29 February
        (datetime(2027, 6, 30, 12, tzinfo=UTC), date(2021, 6, 30)),
    ],
)
def test_the_demo_runs_on_todays_day_and_month_in_its_year(real: datetime, demo: date) -> None:
    assert demo_today(real) == demo
