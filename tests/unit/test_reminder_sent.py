"""ReminderSent: a delivered reminder in an activity's history, carrying ids only."""

from __future__ import annotations

import pytest

from reminders.tokens import unsubscribe_token, unsubscribe_user_id
from tests.domain_support import recorded
from tracker.domain.activity import Activity
from tracker.domain.events import (
    ActivityPlanned,
    ActivityStatusChanged,
    ReminderSent,
    decode,
    encode,
)

PLANNED = ActivityPlanned("a1", plan_id=7)


def test_a_reminder_is_recorded_whatever_the_status_and_counts_as_a_version() -> None:
    activity = Activity.replay("a1", recorded(PLANNED))
    [event] = activity.record_reminder("quarterly", "2021Q2", 12, workgroup_id=3)
    assert event == ReminderSent("a1", "quarterly", "2021Q2", 12, 3, None)
    assert Activity.replay("a1", recorded(PLANNED, event)).version == 2


def test_the_event_carries_ids_and_survives_the_round_trip() -> None:
    event = ReminderSent("a1", "digest", "2021Q2", 40, None, 9)
    type_name, data = encode(event)
    assert type_name == "ReminderSent"
    assert data == {
        "activity_id": "a1",
        "kind": "digest",
        "period": "2021Q2",
        "outbox_id": 40,
        "workgroup_id": None,
        "user_id": 9,
    }
    assert decode(type_name, data) == event


def test_a_reminder_sent_since_someone_opened_the_form_does_not_make_their_update_stale() -> None:
    reminder = ReminderSent("a1", "quarterly", "2021Q2", 1, 3)
    activity = Activity.replay("a1", recorded(PLANNED, reminder, reminder))
    assert activity.version == 3
    assert not activity.is_stale(1) and not activity.is_stale(2) and not activity.is_stale(3)


@pytest.mark.parametrize("seen", [1, 4])
def test_a_status_change_since_then_does(seen: int) -> None:
    changed = ActivityStatusChanged("a1", "gepland", "lopend")
    activity = Activity.replay(
        "a1", recorded(PLANNED, changed, ReminderSent("a1", "q", "2021Q2", 1))
    )
    assert activity.is_stale(seen)  # 1: before the change; 4: a version that does not exist
    assert not activity.is_stale(2)


def test_unsubscribe_tokens_name_one_person_and_cannot_be_forged() -> None:
    token = unsubscribe_token("secret", 42)
    assert unsubscribe_user_id("secret", token) == 42
    assert unsubscribe_user_id("another secret", token) is None
    assert unsubscribe_user_id("secret", token[:-2] + "xx") is None
    assert unsubscribe_user_id("secret", "not-a-token") is None
