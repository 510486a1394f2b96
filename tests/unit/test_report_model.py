"""The quarterly report's content, computed from hand-made events (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from events.store import RecordedEvent
from tracker.domain.events import Recorded
from tracker.domain.period import Period, PeriodError
from tracker.domain.status import Status
from tracker.domain.targets import Comparator, Target
from tracker.domain.timing import Timing, TimingKind
from tracker.projections import domain_events
from tracker.reports.model import ActivityFacts, TargetFacts, build_report
from tracker.reports.period import end_of_day, report_moment

POSITION = iter(range(1, 10_000))


def event(stream: str, version: int, event_type: str, at: str, **data: object) -> RecordedEvent:
    moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
    payload = {"activity_id": stream, **data}  # as stored: the stream is the activity
    return RecordedEvent(next(POSITION), stream, version, event_type, payload, None, moment)


def planned(stream: str, at: str = "2021-01-04T09:00") -> RecordedEvent:
    return event(stream, 1, "ActivityPlanned", at, plan_id=1)


def moved(stream: str, version: int, at: str, old: str, new: str, note: str = "") -> RecordedEvent:
    return event(
        stream, version, "ActivityStatusChanged", at, from_status=old, to_status=new, note=note
    )


def period(start: date, end: date) -> Timing:
    return Timing("x", TimingKind.PERIOD, start, end)


def facts(
    activity_id: str, theme: str, timing: Timing | None = None, **extra: object
) -> ActivityFacts:
    return ActivityFacts(
        activity_id, f"Activiteit {activity_id}", theme,
        timing or Timing("Continu", TimingKind.CONTINUOUS, date(2021, 1, 1), date(2021, 12, 31)),
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def report(
    activities: Sequence[ActivityFacts], events: Sequence[RecordedEvent], quarter: str, day: date
):  # type: ignore[no-untyped-def]
    streams: dict[str, list[Recorded]] = {}
    for item in domain_events(events):
        streams.setdefault(item.event.activity_id, []).append(item)
    return build_report(
        plan_title="Jaarplan 2021", plan_slug="p-2021", plan_year=2021, motto="", network_name="N",
        period=Period.parse(quarter), moment=end_of_day(day), activities=activities,
        events=streams,
    )  # fmt: skip


def test_counts_per_theme_match_a_hand_count() -> None:
    activities = [facts("a", "Coördinatie"), facts("b", "Coördinatie"), facts("c", "Informeren"),
                  facts("d", "Informeren"), facts("e", "Informeren")]  # fmt: skip
    events = [planned(x) for x in "abcde"] + [
        moved("a", 2, "2021-04-10T10:00", "gepland", "lopend"),
        moved("a", 3, "2021-05-10T10:00", "lopend", "afgerond"),
        moved("c", 2, "2021-02-10T10:00", "gepland", "vertraagd"),
        moved("d", 2, "2021-06-10T10:00", "gepland", "lopend"),
        moved("e", 2, "2021-07-02T10:00", "gepland", "gestopt", "geen budget"),  # after Q2
        event("c", 3, "ActivityNoteAdded", "2021-06-01T10:00", status="vertraagd", note="wacht"),
    ]
    result = report(activities, events, "2021Q2", date(2021, 6, 30))
    counts = {theme.name: dict(theme.counts) for theme in result.themes}
    assert counts == {
        "Coördinatie": {Status.AFGEROND: 1, Status.GEPLAND: 1},
        "Informeren": {Status.VERTRAAGD: 1, Status.LOPEND: 1, Status.GEPLAND: 1},
    }
    assert [t.finished_percent for t in result.themes] == [50, 0]
    assert result.totals.total == 5 and result.totals.finished_percent == 20
    # what changed in Q2: a twice, a note on c, d once (e only in Q3)
    assert [(c.title, c.to_status, c.note) for c in result.changes] == [
        ("Activiteit a", Status.LOPEND, ""), ("Activiteit a", Status.AFGEROND, ""),
        ("Activiteit c", Status.VERTRAAGD, "wacht"), ("Activiteit d", Status.LOPEND, ""),
    ]  # fmt: skip
    by_id = {line.facts.activity_id: line for line in result.activities}
    assert (by_id["a"].previous_status, by_id["a"].status) == (Status.GEPLAND, Status.AFGEROND)
    assert by_id["c"].previous_status is Status.VERTRAAGD and not by_id["c"].changed
    assert sorted(line.facts.activity_id for line in result.silent) == ["b", "e"]
    assert by_id["c"].last_note == "wacht"


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        (date(2021, 6, 29), False),  # the period has not ended
        (date(2021, 6, 30), False),  # its last day: still due, not overdue
        (date(2021, 7, 1), True),  # the day after: overdue
    ],
)
def test_an_activity_is_overdue_only_after_its_period_has_passed(
    as_of: date, overdue: bool
) -> None:
    q2 = facts("a", "T", period(date(2021, 4, 1), date(2021, 6, 30)))
    result = report([q2], [planned("a")], str(Period.containing(as_of)), as_of)
    assert [line.overdue for line in result.activities] == [overdue]


def test_finished_stopped_or_open_ended_work_is_never_overdue() -> None:
    activities = [
        facts("done", "T", period(date(2021, 1, 1), date(2021, 3, 31))),
        facts("stopped", "T", period(date(2021, 1, 1), date(2021, 3, 31))),
        facts("open", "T", Timing("Start najaar 2020", TimingKind.PERIOD, date(2020, 9, 1), None)),
    ]
    events = [planned("done"), planned("stopped"), planned("open"),
              moved("done", 2, "2021-02-01T10:00", "gepland", "lopend"),
              moved("done", 3, "2021-03-01T10:00", "lopend", "afgerond"),
              moved("stopped", 2, "2021-03-01T10:00", "gepland", "gestopt", "weg")]  # fmt: skip
    result = report(activities, events, "2021Q3", date(2021, 9, 30))
    assert [line.overdue for line in result.activities] == [False, False, False]


def test_an_activity_planned_after_the_moment_is_not_in_the_report() -> None:
    late = planned("late", "2021-08-01T10:00")
    result = report([facts("late", "T")], [late], "2021Q2", date(2021, 6, 30))
    assert result.activities == ()


def test_targets_show_the_latest_value_and_the_trend_since_last_quarter() -> None:
    target = Target("Minimaal 25 praktijken", Comparator.AT_LEAST, 25, "praktijken")
    activity = facts("a", "T", targets=(TargetFacts(7, target),))
    events = [
        planned("a"),
        event("a", 2, "TargetProgressRecorded", "2021-03-15T10:00", indicator_id=7, value=10.0),
        event("a", 3, "TargetProgressRecorded", "2021-05-15T10:00", indicator_id=7, value=26.0),
    ]
    (line,) = report([activity], events, "2021Q2", date(2021, 6, 30)).targets
    assert (line.value, line.previous_value, line.trend, line.met) == (26.0, 10.0, "↑", True)


def test_carried_work_shows_its_origin_reason_age_and_the_quarter_it_finished() -> None:
    activity = facts("a", "T", carried_from_year=2020)
    events = [
        event("a", 1, "ActivityPlanned", "2021-01-04T09:00", plan_id=1, carried_from="old",
              carry_over_reason="COVID-19"),
        moved("a", 2, "2021-02-01T10:00", "gepland", "lopend"),
        moved("a", 3, "2021-05-20T10:00", "lopend", "afgerond"),
    ]  # fmt: skip
    (line,) = report([activity], events, "2021Q4", date(2021, 12, 31)).carried_in
    assert (line.origin_year, line.age, line.reason, line.status, str(line.finished_in)) == (
        2020, 1, "COVID-19", Status.AFGEROND, "2021Q2",
    )  # fmt: skip


def test_periods_are_read_and_a_running_quarter_is_shown_as_it_stands_now() -> None:
    assert Period.parse("2021Q3") == Period.parse(" 2021-q3 ") == Period(2021, 3)
    assert Period(2021, 1).previous() == Period(2020, 4)
    with pytest.raises(PeriodError):
        Period.parse("2021Q5")
    now = datetime(2021, 8, 1, 12, tzinfo=UTC)
    assert report_moment(Period(2021, 3), None, now) == now
    assert report_moment(Period(2021, 2), None, now) == end_of_day(date(2021, 6, 30))


def test_reminders_sent_this_quarter_and_the_activities_not_updated_since() -> None:
    activities = [facts("a", "T"), facts("b", "T")]
    reminder = {"kind": "quarterly", "period": "2021Q2", "outbox_id": 11, "workgroup_id": 5}
    events = [
        planned("a"),
        planned("b"),
        event("a", 2, "ReminderSent", "2021-04-01T06:00", **reminder),
        event("b", 2, "ReminderSent", "2021-04-01T06:00", **reminder),
        moved("a", 3, "2021-04-20T10:00", "gepland", "lopend"),  # answered
        event("a", 4, "ReminderSent", "2021-06-16T06:00", **dict(reminder, outbox_id=12)),
    ]
    streams: dict[str, list[Recorded]] = {}
    for item in domain_events(events):
        streams.setdefault(item.event.activity_id, []).append(item)
    result = build_report(
        plan_title="J", plan_slug="p", plan_year=2021, motto="", network_name="N",
        period=Period(2021, 2), moment=end_of_day(date(2021, 6, 30)), activities=activities,
        events=streams, workgroup_names={5: "Werkgroep PR"},
    )  # fmt: skip
    assert result.reminders == (("Werkgroep PR", 2, 1),)
    by_id = {line.facts.activity_id: line for line in result.activities}
    assert by_id["b"].updated_this_quarter is False  # a reminder is not an update
