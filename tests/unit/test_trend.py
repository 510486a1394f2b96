"""The trend per theme: % finished at the end of each quarter, from hand-made events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial

from events.store import RecordedEvent
from tests.unit.test_report_model import event, facts, moved, planned
from tracker.domain.events import Recorded
from tracker.domain.period import Period
from tracker.projections import domain_events
from tracker.reports.board import meeting_period
from tracker.reports.model import ActivityFacts, PlanReport, build_report
from tracker.reports.period import end_of_day
from tracker.reports.trend import build_trend, trend_periods


def builder(activities: Sequence[ActivityFacts], events: Sequence[RecordedEvent], known: datetime):  # type: ignore[no-untyped-def]
    streams: dict[str, list[Recorded]] = {}
    for item in domain_events(events):
        streams.setdefault(item.event.activity_id, []).append(item)
    return partial(
        build_report, plan_title="Jaarplan 2021", plan_slug="p-2021", plan_year=2021, motto="",
        network_name="N", activities=activities, events=streams, known=known,
    )  # fmt: skip


def trend_at(build, quarter: str, moment: datetime):  # type: ignore[no-untyped-def]
    report: PlanReport = build(period=Period.parse(quarter), moment=moment)
    return build_trend(report, lambda p, m: build(period=p, moment=m))


# Coördinatie: a finished in Q2 (b stays open); Informeren: c finished in Q1, d added in Q3.
ACTIVITIES = [facts("a", "Coördinatie"), facts("b", "Coördinatie"), facts("c", "Informeren"),
              facts("d", "Nieuw")]  # fmt: skip
EVENTS = [planned(x) for x in "abc"] + [
    moved("a", 2, "2021-04-10T10:00", "gepland", "lopend"),
    moved("a", 3, "2021-05-20T10:00", "lopend", "afgerond"),
    moved("c", 2, "2021-03-01T10:00", "gepland", "afgerond"),
    planned("d", "2021-08-01T10:00"),
]
NOW = datetime(2021, 9, 15, 10, tzinfo=UTC)


def test_a_theme_finished_in_the_second_quarter_shows_0_then_50_percent() -> None:
    trend = trend_at(builder(ACTIVITIES, EVENTS, NOW), "2021Q2", end_of_day(date(2021, 6, 30)))
    assert trend.periods == (Period(2021, 1), Period(2021, 2))
    assert {t.name: t.percents for t in trend.themes} == {
        "Coördinatie": (0, 50),
        "Informeren": (100, 100),
    }


def test_a_theme_not_yet_in_the_plan_has_no_point_for_that_quarter() -> None:
    trend = trend_at(builder(ACTIVITIES, EVENTS, NOW), "2021Q3", NOW)
    assert [t.name for t in trend.themes] == ["Coördinatie", "Informeren", "Nieuw"]
    assert trend.themes[2].percents == (None, None, 0)
    assert trend.themes[0].percents == (0, 50, 50)


def test_an_update_dated_back_counts_for_its_quarter_once_known() -> None:
    """Recorded in July, dated 28 June: the Q2 point counts it, as the Q2 report does."""
    late = [
        *EVENTS[:3],
        event("a", 3, "ActivityStatusChanged", "2021-07-05T10:00", from_status="lopend",
              to_status="afgerond", note="", happened_on="2021-06-28"),
    ]  # fmt: skip
    known_then = builder(ACTIVITIES, late, end_of_day(date(2021, 7, 1)))
    known_now = builder(ACTIVITIES, late, NOW)
    q2_end = end_of_day(date(2021, 6, 30))
    assert trend_at(known_then, "2021Q2", q2_end).themes[0].percents == (0, 0)
    assert trend_at(known_now, "2021Q2", q2_end).themes[0].percents == (0, 50)


def test_the_quarters_of_the_trend_are_those_of_the_plan_year_so_far() -> None:
    assert trend_periods(Period(2021, 3), 2021) == [Period(2021, q) for q in (1, 2, 3)]
    assert trend_periods(Period(2022, 1), 2021) == [Period(2021, q) for q in (1, 2, 3, 4)]
    assert trend_periods(Period(2020, 4), 2021) == []


def test_a_board_meeting_looks_at_the_current_quarter_of_the_plan_year() -> None:
    assert meeting_period(2021, date(2021, 5, 10)) == Period(2021, 2)
    assert meeting_period(2021, date(2020, 12, 1)) == Period(2021, 1)
    assert meeting_period(2021, date(2022, 3, 1)) == Period(2021, 4)
