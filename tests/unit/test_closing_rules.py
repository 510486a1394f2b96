"""The rules of closing a quarter (vaststellen) and of flagging what comes after it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from events.store import RecordedEvent
from tests.unit.test_report_model import event, facts, moved, planned, report
from tracker.domain.access import Principal, Role
from tracker.domain.closing import (
    ADMIN,
    ClosingRefused,
    check_closable,
    closed_as,
    closing_overtaken,
)
from tracker.domain.events import QuarterClosed, decode_plan_event, encode
from tracker.domain.period import Period
from tracker.domain.status_texts import REFUSALS
from tracker.domain.targets import Comparator, Target
from tracker.reports.closing import Difference, differences, figures, report_hash
from tracker.reports.model import PlanReport, TargetFacts

Q2 = Period(2021, 2)
CLOSED_Q2 = QuarterClosed(7, 2021, 2, "2021-07-10T08:00:00+00:00", "ab" * 32, "coordinator")


def test_a_quarter_that_has_ended_can_be_closed() -> None:
    check_closable(2021, Q2, date(2021, 7, 1), [])


@pytest.mark.parametrize("today", [date(2021, 6, 30), date(2021, 5, 1)])
def test_a_quarter_that_has_not_ended_cannot_be_closed(today: date) -> None:
    with pytest.raises(ClosingRefused) as refused:
        check_closable(2021, Q2, today, [])
    assert refused.value.code == "quarter_not_ended"


def test_a_closed_quarter_cannot_be_closed_again_but_another_can() -> None:
    with pytest.raises(ClosingRefused) as refused:
        check_closable(2021, Q2, date(2021, 10, 2), [CLOSED_Q2])
    assert refused.value.code == "quarter_already_closed"
    check_closable(2021, Period(2021, 3), date(2021, 10, 2), [CLOSED_Q2])


def test_only_a_quarter_of_the_plans_year_can_be_closed() -> None:
    with pytest.raises(ClosingRefused) as refused:
        check_closable(2021, Period(2022, 1), date(2022, 5, 1), [])
    assert refused.value.code == "quarter_outside_plan_year"


def test_every_refusal_has_a_text() -> None:
    codes = ("quarter_not_ended", "quarter_already_closed", "quarter_outside_plan_year")
    assert all(code in REFUSALS for code in codes)


def test_a_closing_is_recorded_under_the_role_never_a_name() -> None:
    coordinator = Principal(user_id=3, roles={5: Role.COORDINATOR})
    assert closed_as(coordinator, 5) == "coordinator"
    assert closed_as(Principal(user_id=1, is_admin=True), 5) == ADMIN
    name, payload = encode(CLOSED_Q2)
    assert name == "QuarterClosed"
    assert set(payload) == {"plan_id", "year", "quarter", "known_at", "report_sha256", "closed_as"}
    assert decode_plan_event(name, payload) == CLOSED_Q2
    assert CLOSED_Q2.stream_id == "plan-7"


def test_an_update_dated_in_a_closed_quarter_and_recorded_after_the_closing_is_flagged() -> None:
    after = datetime(2021, 7, 12, 9, 0, tzinfo=UTC)
    assert closing_overtaken([CLOSED_Q2], date(2021, 6, 28), after) == CLOSED_Q2


def test_an_update_recorded_before_the_closing_or_dated_in_another_quarter_is_not() -> None:
    before = datetime(2021, 7, 9, 9, 0, tzinfo=UTC)
    after = datetime(2021, 7, 12, 9, 0, tzinfo=UTC)
    assert closing_overtaken([CLOSED_Q2], date(2021, 6, 28), before) is None
    assert closing_overtaken([CLOSED_Q2], date(2021, 7, 2), after) is None
    assert closing_overtaken([CLOSED_Q2], date(2021, 3, 31), after) is None
    assert closing_overtaken([], date(2021, 6, 28), after) is None


PRACTICES = Target("Minimaal 25 praktijken", Comparator.AT_LEAST, 25, "praktijken")
ACTIVITIES = [facts("a", "Coördinatie", targets=(TargetFacts(9, PRACTICES),)), facts("b", "X")]


def q1(*later: RecordedEvent) -> PlanReport:
    events = [
        planned("a"),
        planned("b"),
        moved("a", 2, "2021-02-01T10:00", "gepland", "lopend"),
        event("a", 3, "TargetProgressRecorded", "2021-03-01T10:00", indicator_id=9, value=10),
        *later,
    ]
    return report(ACTIVITIES, events, "2021Q1", date(2021, 3, 31))  # type: ignore[no-any-return]


def test_the_figures_hold_each_activitys_status_and_target_values() -> None:
    assert figures(q1())["activities"] == [
        {"id": "a", "title": "Activiteit a", "status": "lopend", "targets": [[9, 10.0]]},
        {"id": "b", "title": "Activiteit b", "status": "gepland", "targets": []},
    ]


def test_the_same_inputs_give_the_same_hash_and_another_status_another() -> None:
    assert report_hash(q1()) == report_hash(q1())
    other = q1(moved("b", 2, "2021-03-02T10:00", "gepland", "lopend"))
    assert report_hash(other) != report_hash(q1())


def test_differences_name_the_changed_status_and_value_old_to_new() -> None:
    later = q1(
        moved("b", 2, "2021-03-02T10:00", "gepland", "vertraagd"),
        event("a", 4, "TargetProgressRecorded", "2021-03-03T10:00", indicator_id=9, value=12),
    )
    assert differences(q1(), later) == [
        Difference("a", "Activiteit a", PRACTICES, 10.0, 12.0),
        Difference("b", "Activiteit b", None, "gepland", "vertraagd"),
    ]
    assert differences(q1(), q1()) == []
