"""Who gets what: the activities a reminder lists, the workgroups a digest names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reminders.periods import Period, ReminderKind
from reminders.selection import (
    ActivitySnapshot,
    SentReminder,
    Silence,
    activities_per_workgroup,
    digest_lines,
    is_listed,
)

Q2 = Period(2021, 2)
QUARTERLY, DUE_SOON = ReminderKind.QUARTERLY, ReminderKind.DUE_SOON


def activity(
    id: str,
    start: date | None,
    end: date | None,
    status: str = "gepland",
    workgroups: tuple[int, ...] = (1,),
) -> ActivitySnapshot:
    return ActivitySnapshot(id, id.title(), status, start, end, workgroups)


CONTINUOUS = activity("continu", date(2021, 1, 1), date(2021, 12, 31))
SPRING = activity("voorjaar", date(2021, 3, 1), date(2021, 5, 31))
AUTUMN = activity("najaar", date(2021, 9, 1), date(2021, 11, 30))
OPEN_ENDED = activity("vanaf 2020", date(2020, 9, 1), None)
UNREAD = activity("onleesbaar", None, None)


def test_the_quarterly_reminder_lists_what_is_active_or_due_in_the_quarter() -> None:
    listed = [a.id for a in (CONTINUOUS, SPRING, AUTUMN, OPEN_ENDED, UNREAD)]
    assert [i for i in listed if is_listed(QUARTERLY, Q2, _by_id(i))] == [
        "continu",
        "voorjaar",
        "vanaf 2020",
    ]


def test_due_soon_lists_only_what_ends_in_the_quarter() -> None:
    assert [a.id for a in (CONTINUOUS, SPRING, OPEN_ENDED) if is_listed(DUE_SOON, Q2, a)] == [
        "voorjaar"
    ]


def test_finished_stopped_and_carried_over_activities_are_never_listed() -> None:
    for status in ("afgerond", "gestopt", "doorgeschoven"):
        closed = activity("klaar", date(2021, 4, 1), date(2021, 6, 30), status=status)
        assert not is_listed(QUARTERLY, Q2, closed) and not is_listed(DUE_SOON, Q2, closed)
    for status in ("gepland", "lopend", "vertraagd"):
        assert is_listed(
            DUE_SOON, Q2, activity("open", date(2021, 4, 1), date(2021, 6, 30), status)
        )


def test_each_workgroup_gets_its_own_open_activities_and_one_with_nothing_open_is_absent() -> None:
    shared = activity("gedeeld", date(2021, 1, 1), date(2021, 12, 31), workgroups=(1, 2))
    done = activity("af", date(2021, 4, 1), date(2021, 5, 1), "afgerond", workgroups=(3,))
    later = activity("later", date(2021, 10, 1), date(2021, 12, 31), workgroups=(4,))
    per_group = activities_per_workgroup(QUARTERLY, Q2, [SPRING, shared, done, later])
    assert {k: [a.id for a in v] for k, v in per_group.items()} == {
        1: ["voorjaar", "gedeeld"],
        2: ["gedeeld"],
    }


REMINDED = datetime(2021, 4, 1, 6, tzinfo=UTC)


def test_the_digest_names_silent_workgroups_and_why() -> None:
    lines = digest_lines(
        workgroups={1: True, 2: True, 3: False, 4: True, 5: False, 6: True},
        open_now={1: ["a"], 2: ["b"], 3: ["c"], 4: ["d"], 6: ["f"]},
        reminders={
            1: SentReminder(REMINDED, ("a",)),  # answered: "a" was updated since
            2: SentReminder(REMINDED, ("b",)),  # silent
            4: SentReminder(None, ("d",)),  # reminder not delivered
        },
        last_updates={
            "a": datetime(2021, 4, 3, tzinfo=UTC),
            "b": datetime(2021, 3, 30, tzinfo=UTC),
        },
    )
    assert [(line.workgroup_id, line.reason) for line in lines] == [
        (2, Silence.NO_UPDATE),
        (3, Silence.NO_ADDRESS),
        (4, Silence.NOT_DELIVERED),
    ]
    # 5 has no address but nothing to do; 6 has an address but was never reminded this
    # quarter (e.g. its work started later): neither is chased.


def _by_id(activity_id: str) -> ActivitySnapshot:
    return {a.id: a for a in (CONTINUOUS, SPRING, AUTUMN, OPEN_ENDED, UNREAD)}[activity_id]
