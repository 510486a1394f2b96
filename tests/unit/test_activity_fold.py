"""The one fold: how each event changes an activity's state (read model, reports, handlers)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.domain_support import T0, recorded
from tracker.domain import events as domain_events
from tracker.domain.activity import Activity, evolve
from tracker.domain.events import (
    ActivityCarriedIn,
    ActivityCarriedOver,
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityStatusChanged,
    Recorded,
    ReminderSent,
    TargetProgressRecorded,
    UndecodableEvent,
    decode,
    encode,
)
from tracker.domain.status import Status

PLANNED = ActivityPlanned("a", plan_id=3, carried_from="a-2020", carry_over_reason="COVID-19")


def at(hours: int) -> object:
    return T0 + timedelta(hours=hours)


def test_planning_starts_the_state_with_its_plan_time_and_lineage() -> None:
    activity = Activity.replay("a", recorded(PLANNED))
    assert (activity.plan_id, activity.status, activity.version) == (3, Status.GEPLAND, 1)
    assert (activity.planned_at, activity.decided_version) == (T0, 1)
    assert (activity.carried_from, activity.carry_reason) == ("a-2020", "COVID-19")
    assert activity.last_update_at is None and activity.last_note == ""


def test_every_field_follows_the_updates_of_the_people_responsible() -> None:
    activity = Activity.replay(
        "a",
        recorded(
            PLANNED,
            ActivityStatusChanged("a", "gepland", "lopend", "start"),
            ActivityNoteAdded("a", "lopend", "verder"),
            TargetProgressRecorded("a", indicator_id=4, value=12.0, note=""),
            ActivityStatusChanged("a", "lopend", "afgerond", ""),
            actor=7,
        ),
    )
    assert (activity.status, activity.version, activity.decided_version) == (
        Status.AFGEROND,
        5,
        5,
    )
    assert activity.last_update_at == at(4) and activity.last_update_by == 7
    assert activity.last_note == "verder"  # an update without words keeps the last note
    assert activity.finished_at == at(4)
    assert activity.target_values == {4: 12.0}


def test_a_reminder_moves_the_version_but_no_decision_and_is_no_update() -> None:
    activity = Activity.replay(
        "a", recorded(PLANNED, ReminderSent("a", "quarterly", "2021Q1", outbox_id=9))
    )
    assert (activity.version, activity.decided_version) == (2, 1)
    assert activity.last_update_at is None


def test_carrying_over_and_in_set_status_links_and_reason() -> None:
    out = Activity.replay("a", recorded(PLANNED, ActivityCarriedOver("a", "b", 4, "capaciteit")))
    assert (out.status, out.carried_to, out.last_note) == (
        Status.DOORGESCHOVEN,
        "b",
        "capaciteit",
    )
    plain = ActivityPlanned("b", plan_id=4)
    linked = Activity.replay("b", recorded(plain, ActivityCarriedIn("b", "a", "vervolg")))
    assert (linked.carried_from, linked.carry_reason) == ("a", "vervolg")
    assert linked.last_update_at is None  # linking is no update by the workgroup


def test_a_fold_until_a_moment_leaves_out_later_events() -> None:
    stream = recorded(PLANNED, ActivityStatusChanged("a", "gepland", "lopend"))
    assert Activity.fold(stream, until=T0) == Activity.replay("a", stream[:1])
    assert Activity.fold(stream, until=T0 - timedelta(seconds=1)) is None


def test_events_before_planning_make_no_activity() -> None:
    change = Recorded(ActivityStatusChanged("a", "gepland", "lopend"), 1, T0)
    assert evolve(None, change) is None


def test_encoding_and_decoding_give_the_same_event() -> None:
    for event in (
        PLANNED,
        TargetProgressRecorded("a", 4, 2.5, "n"),
        ReminderSent("a", "q", "p", 1),
    ):
        assert decode(*encode(event)) == event


def test_an_event_stored_in_an_older_shape_is_upcast_on_every_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new version of ActivityNoteAdded that names the note `tekst`: what was stored in
    version 1 reads as version 2 through its upcaster; version 2 is stored with its number."""

    # The same type, in its next version (a class of the same name, as it would be edited).
    NoteAddedV2 = type("ActivityNoteAdded", (ActivityNoteAdded,), {"class_version": 2})

    def upcast(payload: dict[str, object]) -> dict[str, object]:
        return {**payload, "note": f"(v1) {payload['note']}"}

    monkeypatch.setitem(domain_events.EVENT_TYPES, "ActivityNoteAdded", NoteAddedV2)
    monkeypatch.setitem(domain_events.UPCASTERS, ("ActivityNoteAdded", 1), upcast)
    stored_v1 = {"activity_id": "a", "status": "lopend", "note": "oud"}
    assert decode("ActivityNoteAdded", stored_v1) == NoteAddedV2("a", "lopend", "(v1) oud")
    type_name, payload = encode(NoteAddedV2("a", "lopend", "nieuw"))
    assert payload[domain_events.VERSION_KEY] == 2
    assert type_name == "ActivityNoteAdded"
    assert decode(type_name, payload) == NoteAddedV2("a", "lopend", "nieuw")


def test_a_payload_that_does_not_fit_its_type_is_refused_by_name() -> None:
    with pytest.raises(UndecodableEvent, match="ActivityNoteAdded"):
        decode("ActivityNoteAdded", {"note": "zonder activiteit"})
