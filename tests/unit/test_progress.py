"""Recording progress on measurable targets: what the Activity aggregate accepts."""

from __future__ import annotations

import math

import pytest

from tests.domain_support import recorded, then
from tracker.domain.activity import (
    Activity,
    InvalidProgress,
    NoteTooLong,
    UnknownTarget,
)
from tracker.domain.events import ActivityPlanned, ActivityStatusChanged, TargetProgressRecorded


def planned() -> Activity:
    return Activity.replay("a1", recorded(ActivityPlanned("a1", plan_id=1)))


def test_progress_on_one_of_the_activitys_targets_becomes_one_event() -> None:
    events = planned().decide_progress(7, 18, "  18 praktijken  ", indicator_ids=[7, 8])
    assert events == [
        TargetProgressRecorded("a1", indicator_id=7, value=18.0, note="18 praktijken")
    ]


def test_progress_may_be_recorded_after_the_activity_is_done() -> None:
    activity = planned()
    then(activity, ActivityStatusChanged("a1", "gepland", "lopend"))
    then(activity, ActivityStatusChanged("a1", "lopend", "afgerond"))
    assert len(activity.decide_progress(7, 25, "", indicator_ids=[7])) == 1


def test_a_target_of_another_activity_is_refused() -> None:
    with pytest.raises(UnknownTarget):
        planned().decide_progress(9, 1, "", indicator_ids=[7, 8])


@pytest.mark.parametrize("value", [-1, -0.5, math.nan, math.inf, 1_000_000_001])
def test_values_outside_zero_to_a_billion_are_refused(value: float) -> None:
    with pytest.raises(InvalidProgress):
        planned().decide_progress(7, value, "", indicator_ids=[7])


def test_an_over_long_note_is_refused() -> None:
    with pytest.raises(NoteTooLong):
        planned().decide_progress(7, 1, "x" * 2001, indicator_ids=[7])


def test_recorded_progress_advances_the_version() -> None:
    activity = planned()
    for event in activity.decide_progress(7, 3, "", indicator_ids=[7]):
        then(activity, event)
    assert activity.version == 2
