"""When reminders are due: quarters, working days, the schedule, and catching up once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from reminders.periods import (
    Period,
    ReminderKind,
    Run,
    Schedule,
    due_runs,
    easter_sunday,
    is_working_day,
    working_day,
)
from tests.dutch import dutch
from tracker.domain.period import PeriodError

AMS = ZoneInfo("Europe/Amsterdam")
Q, DUE, DIGEST = ReminderKind.QUARTERLY, ReminderKind.DUE_SOON, ReminderKind.DIGEST
SCHEDULE = Schedule()


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


@pytest.mark.parametrize("text", ["2021Q2", "2021q2", " 2021-Q2 "])
def test_a_period_is_read_from_its_short_form(text: str) -> None:
    period = Period.parse(text)
    assert period == Period(2021, 2) and str(period) == "2021Q2"
    assert (period.first, period.last) == (date(2021, 4, 1), date(2021, 6, 30))
    assert dutch(period.label) == "2e kwartaal 2021"


@pytest.mark.parametrize("text", ["2021Q5", "2021", "Q2 2021", "", "21Q1"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_periods_follow_each_other_across_years() -> None:
    assert Period(2021, 4).next() == Period(2022, 1)
    assert Period(2022, 1).previous() == Period(2021, 4)
    assert Period(2021, 2).next().previous() == Period(2021, 2)


def test_easter_and_the_holidays_that_can_open_a_quarter() -> None:
    assert easter_sunday(2021) == date(2021, 4, 4)
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert not is_working_day(date(2024, 4, 1))  # Tweede Paasdag
    assert not is_working_day(date(2024, 1, 1))  # Nieuwjaarsdag
    assert not is_working_day(date(2021, 5, 1))  # a Saturday
    assert is_working_day(date(2021, 4, 1))


@pytest.mark.parametrize(
    ("period", "first_working_day"),
    [
        (Period(2021, 1), date(2021, 1, 4)),  # Friday 1 January is Nieuwjaarsdag
        (Period(2021, 2), date(2021, 4, 1)),  # a Thursday
        (Period(2024, 2), date(2024, 4, 2)),  # Monday 1 April 2024 was Easter Monday
        (Period(2023, 3), date(2023, 7, 3)),  # 1 July 2023 was a Saturday
    ],
)
def test_the_quarterly_reminder_goes_out_on_the_first_working_day(
    period: Period, first_working_day: date
) -> None:
    assert working_day(period, 1) == first_working_day
    assert SCHEDULE.moment(Q, period) == datetime.combine(first_working_day, time(8), AMS)


def test_due_soon_is_two_weeks_before_the_end_and_the_digest_a_week_after_the_reminder() -> None:
    assert SCHEDULE.moment(DUE, Period(2021, 2)) == local(2021, 6, 16, 8)
    assert SCHEDULE.moment(DIGEST, Period(2021, 2)) == local(2021, 4, 8, 8)


def test_eight_oclock_stays_eight_oclock_in_summer_and_winter_time() -> None:
    winter = SCHEDULE.moment(Q, Period(2021, 1)).astimezone(ZoneInfo("UTC"))
    summer = SCHEDULE.moment(Q, Period(2021, 2)).astimezone(ZoneInfo("UTC"))
    assert (winter.hour, summer.hour) == (7, 6)


def test_the_schedule_is_configurable() -> None:
    schedule = Schedule(at=time(9, 30), quarterly_working_day=2, due_soon_days=7, digest_days=3)
    assert schedule.moment(Q, Period(2021, 2)) == local(2021, 4, 2, 9, 30)
    assert schedule.moment(DUE, Period(2021, 2)) == local(2021, 6, 23, 9, 30)
    assert schedule.moment(DIGEST, Period(2021, 2)) == local(2021, 4, 5, 9, 30)


def test_latest_and_following_moments_step_over_quarter_boundaries() -> None:
    now = local(2021, 4, 1, 7, 59)
    assert SCHEDULE.latest(Q, now) == (Period(2021, 1), local(2021, 1, 4, 8))
    assert SCHEDULE.following(Q, now) == local(2021, 4, 1, 8)
    assert SCHEDULE.following(Q, local(2021, 4, 1, 8)) == local(2021, 7, 1, 8)
    assert SCHEDULE.latest(DUE, local(2021, 4, 1, 9)) == (Period(2021, 1), local(2021, 3, 17, 8))


def test_nothing_is_due_between_the_scheduled_moments_once_they_are_done() -> None:
    done = {Run(Q, Period(2021, 2)), Run(DIGEST, Period(2021, 2))}
    assert due_runs(SCHEDULE, local(2021, 5, 10, 12), done) == []


def test_a_run_is_due_from_its_moment_on_until_done() -> None:
    assert due_runs(SCHEDULE, local(2021, 4, 1, 7, 59), set()) == []
    assert due_runs(SCHEDULE, local(2021, 4, 1, 8), set()) == [Run(Q, Period(2021, 2))]
    assert due_runs(SCHEDULE, local(2021, 4, 1, 8), {Run(Q, Period(2021, 2))}) == []


def test_three_days_of_downtime_across_a_quarter_boundary_give_one_catch_up() -> None:
    done = {Run(Q, Period(2021, 1)), Run(DIGEST, Period(2021, 1)), Run(DUE, Period(2021, 1))}
    started = local(2021, 4, 4, 10)
    assert due_runs(SCHEDULE, started, done) == [Run(Q, Period(2021, 2))]


def test_missed_runs_are_coalesced_and_old_ones_dropped_after_the_grace_period() -> None:
    # Down from February to 5 April: only the latest quarterly reminder, not Q1's due-soon
    # (its quarter has ended), and nothing of Q1 that was more than a week ago.
    assert due_runs(SCHEDULE, local(2021, 4, 5, 10), set()) == [Run(Q, Period(2021, 2))]
    # Ten days late is too late with the default grace of seven days.
    assert due_runs(SCHEDULE, local(2021, 4, 11, 10), {Run(DIGEST, Period(2021, 2))}) == []
    longer = Schedule(grace=timedelta(days=14))
    assert due_runs(longer, local(2021, 4, 11, 10), {Run(DIGEST, Period(2021, 2))}) == [
        Run(Q, Period(2021, 2))
    ]


def test_only_the_configured_kinds_are_made() -> None:
    schedule = Schedule(kinds=(DIGEST,))
    assert due_runs(schedule, local(2021, 4, 9, 10), set()) == [Run(DIGEST, Period(2021, 2))]
