"""Updates dated when they happened: the bounds of the day, and what it changes in the fold."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.domain.activity import Activity, HappenedOn, HappenedOutOfBounds
from tracker.domain.events import (
    ActivityPlanned,
    ActivityStatusChanged,
    Recorded,
    ReminderSent,
    TargetProgressRecorded,
)
from tracker.domain.status import Status

PLANNED = ActivityPlanned("a1", plan_id=7)
JULY_10 = datetime(2021, 7, 10, 14, 30, tzinfo=UTC)  # 16:30 in Amsterdam


def stream(*events: tuple[object, datetime]) -> list[Recorded]:
    return [
        Recorded(event, version, at)  # type: ignore[arg-type]
        for version, (event, at) in enumerate(events, start=1)
    ]


def running() -> Activity:
    return Activity.replay(
        "a1",
        stream(
            (PLANNED, datetime(2021, 1, 4, 9, tzinfo=UTC)),
            (ActivityStatusChanged("a1", "gepland", "lopend", "", "2021-04-12"), JULY_10),
        ),
    )


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2021, 7, 11), "happened_in_future"),
        (date(2020, 12, 31), "happened_before_plan_year"),
        (date(2021, 4, 11), "happened_before_previous"),
    ],
)
def test_the_day_is_not_in_the_future_nor_before_the_year_or_the_previous_update(
    day: date, code: str
) -> None:
    with pytest.raises(HappenedOutOfBounds) as refused:
        running().decide_status_change("afgerond", "", HappenedOn(day, date(2021, 7, 10), 2021))
    assert refused.value.code == code


@pytest.mark.parametrize("day", [date(2021, 4, 12), date(2021, 6, 28), date(2021, 7, 10)])
def test_a_day_within_the_bounds_is_kept_on_the_event(day: date) -> None:
    happened = HappenedOn(day, date(2021, 7, 10), 2021)
    (event,) = running().decide_status_change("afgerond", "klaar", happened)
    assert isinstance(event, ActivityStatusChanged) and event.happened_on == day.isoformat()
    (value,) = running().decide_progress(3, 18, "", [3], happened)
    assert isinstance(value, TargetProgressRecorded) and value.happened_on == day.isoformat()


def test_an_update_dated_back_counts_from_its_day_at_the_time_it_was_recorded() -> None:
    finished = ActivityStatusChanged("a1", "lopend", "afgerond", "klaar", "2021-06-28")
    events = stream(
        (PLANNED, datetime(2021, 1, 4, 9, tzinfo=UTC)),
        (ActivityStatusChanged("a1", "gepland", "lopend"), datetime(2021, 4, 12, 9, tzinfo=UTC)),
        (ReminderSent("a1", "quarterly", "2021Q3", 1), datetime(2021, 7, 1, 6, tzinfo=UTC)),
        (finished, JULY_10),
    )
    activity = Activity.replay("a1", events)
    assert (
        activity.finished_at
        == activity.last_happened_at
        == datetime(2021, 6, 28, 14, 30, tzinfo=UTC)
    )
    assert activity.last_update_at == JULY_10  # when it was recorded: what reminders look at
    end_of_june = datetime(2021, 6, 30, 21, 59, tzinfo=UTC)
    # The state at the end of June as known on 10 July: finished; as known on 30 June: running.
    assert Activity.fold(events, JULY_10, happened_by=end_of_june).status is Status.AFGEROND  # type: ignore[union-attr]
    assert Activity.fold(events, end_of_june, happened_by=end_of_june).status is Status.LOPEND  # type: ignore[union-attr]
    assert (
        Activity.fold(events, JULY_10, happened_by=datetime(2021, 6, 27, tzinfo=UTC)).status
        is Status.LOPEND
    )  # type: ignore[union-attr]
