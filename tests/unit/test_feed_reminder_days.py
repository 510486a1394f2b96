"""The reminder days a calendar feed shows are the days the scheduler sends reminders on."""

from __future__ import annotations

from datetime import date

from reminders.feeds import reminder_days
from reminders.periods import Period, ReminderKind, Schedule


def test_the_feed_shows_the_quarterly_and_due_soon_days_of_four_quarters_in_order() -> None:
    schedule = Schedule()
    days = reminder_days(schedule, date(2021, 11, 20))
    assert [(d.kind, str(d.period), d.day) for d in days] == [
        (ReminderKind.QUARTERLY, "2021Q4", date(2021, 10, 1)),
        (ReminderKind.DUE_SOON, "2021Q4", date(2021, 12, 17)),
        (ReminderKind.QUARTERLY, "2022Q1", date(2022, 1, 3)),  # 1 January: a holiday
        (ReminderKind.DUE_SOON, "2022Q1", date(2022, 3, 17)),
        (ReminderKind.QUARTERLY, "2022Q2", date(2022, 4, 1)),
        (ReminderKind.DUE_SOON, "2022Q2", date(2022, 6, 16)),
        (ReminderKind.QUARTERLY, "2022Q3", date(2022, 7, 1)),
        (ReminderKind.DUE_SOON, "2022Q3", date(2022, 9, 16)),
    ]
    assert all(d.day == schedule.day_of(d.kind, d.period) for d in days)


def test_the_days_move_with_the_schedule_and_easter() -> None:
    later = Schedule(quarterly_working_day=3, due_soon_days=7)
    days = reminder_days(later, date(2024, 4, 1))
    assert days[0].period == Period(2024, 2)
    # Easter Monday (1 April 2024) is no working day: the third is Thursday 4 April.
    assert (days[0].kind, days[0].day) == (ReminderKind.QUARTERLY, date(2024, 4, 4))
    assert (days[1].kind, days[1].day) == (ReminderKind.DUE_SOON, date(2024, 6, 23))


def test_kinds_the_schedule_does_not_send_and_the_digest_are_not_shown() -> None:
    assert reminder_days(Schedule(kinds=(ReminderKind.DIGEST,)), date(2021, 5, 10)) == []
    only_quarterly = reminder_days(Schedule(kinds=(ReminderKind.QUARTERLY,)), date(2021, 5, 10))
    assert {d.kind for d in only_quarterly} == {ReminderKind.QUARTERLY}
    assert len(only_quarterly) == 4
