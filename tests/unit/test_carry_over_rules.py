"""The carry-over rules of the Activity aggregate."""

from __future__ import annotations

import pytest

from tests.domain_support import recorded, then
from tracker.domain.activity import Activity
from tracker.domain.events import (
    ActivityCarriedIn,
    ActivityCarriedOver,
    ActivityPlanned,
    ActivityStatusChanged,
)
from tracker.domain.status import Status, TransitionRefused


def activity(*statuses: str) -> Activity:
    events = [ActivityPlanned("a", plan_id=1)]
    current = "gepland"
    for status in statuses:
        events.append(ActivityStatusChanged("a", current, status))
        current = status
    return Activity.replay("a", recorded(*events))


@pytest.mark.parametrize("path", [(), ("lopend",), ("vertraagd",), ("lopend", "vertraagd")])
def test_open_work_is_carried_over_with_its_reason(path: tuple[str, ...]) -> None:
    events = activity(*path).decide_carry_over("b", 2, " COVID-19 ")
    assert events == [ActivityCarriedOver("a", to_activity_id="b", to_plan_id=2, reason="COVID-19")]


@pytest.mark.parametrize("path", [("lopend", "afgerond"), ("gestopt",)])
def test_finished_or_stopped_work_is_not_carried_over(path: tuple[str, ...]) -> None:
    with pytest.raises(TransitionRefused) as refused:
        activity(*path).decide_carry_over("b", 2, "COVID-19")
    assert refused.value.code == "closed"


def test_carry_over_needs_a_reason() -> None:
    with pytest.raises(TransitionRefused) as refused:
        activity().decide_carry_over("b", 2, "  ")
    assert refused.value.code == "reason_required"


def test_a_carried_activity_is_doorgeschoven_and_carrying_it_again_records_nothing() -> None:
    carried = activity("lopend")
    for event in carried.decide_carry_over("b", 2, "COVID-19"):
        then(carried, event)
    assert carried.status is Status.DOORGESCHOVEN and carried.carried_to == "b"
    assert carried.decide_carry_over("b", 2, "COVID-19") == []
    with pytest.raises(TransitionRefused):
        carried.decide_carry_over("c", 3, "elders")


def test_an_existing_activity_is_linked_to_its_origin_once() -> None:
    linked = activity()
    events = linked.decide_carried_in("old", "COVID-19")
    assert events == [ActivityCarriedIn("a", carried_from="old", reason="COVID-19")]
    for event in events:
        then(linked, event)
    assert linked.carried_from == "old" and linked.decide_carried_in("other", "x") == []
