"""The Activity aggregate decides status updates from the events of its own stream."""

import pytest

from tests.domain_support import recorded
from tracker.domain.activity import (
    MAX_NOTE_LENGTH,
    Activity,
    ActivityNotPlanned,
    NoteTooLong,
    NothingToRecord,
)
from tracker.domain.events import (
    ActivityNoteAdded,
    ActivityPlanned,
    ActivityStatusChanged,
    UnknownEventType,
    decode,
    encode,
)
from tracker.domain.status import Status, TransitionRefused

PLANNED = ActivityPlanned("a1", plan_id=7, source="Coördinatie › Overleg")


def test_a_planned_activity_starts_as_gepland_at_version_1() -> None:
    activity = Activity.replay("a1", recorded(PLANNED))
    assert (activity.status, activity.version, activity.plan_id) == (Status.GEPLAND, 1, 7)


def test_replay_follows_status_changes_and_counts_every_event() -> None:
    events = [
        PLANNED,
        ActivityStatusChanged("a1", "gepland", "lopend"),
        ActivityNoteAdded("a1", "lopend", "halverwege"),
        ActivityStatusChanged("a1", "lopend", "vertraagd", "ziekte"),
    ]
    activity = Activity.replay("a1", recorded(*events))
    assert (activity.status, activity.version) == (Status.VERTRAAGD, 4)


def test_a_stream_without_activity_planned_is_no_activity() -> None:
    with pytest.raises(ActivityNotPlanned):
        Activity.replay("a1", recorded())
    with pytest.raises(ActivityNotPlanned):
        Activity.replay("a1", recorded(ActivityStatusChanged("a1", "gepland", "lopend")))


def test_deciding_a_status_change_gives_one_event_with_from_to_and_note() -> None:
    activity = Activity.replay("a1", recorded(PLANNED))
    events = activity.decide_status_change("Lopend", "  gestart  ")
    assert events == [ActivityStatusChanged("a1", "gepland", "lopend", "gestart")]
    assert activity.status is Status.GEPLAND  # deciding does not change state


def test_the_same_status_with_a_note_records_progress() -> None:
    activity = Activity.replay(
        "a1", recorded(PLANNED, ActivityStatusChanged("a1", "gepland", "lopend"))
    )
    assert activity.decide_status_change("lopend", "stand van zaken") == [
        ActivityNoteAdded("a1", "lopend", "stand van zaken")
    ]


def test_the_same_status_without_a_note_records_nothing() -> None:
    activity = Activity.replay("a1", recorded(PLANNED))
    with pytest.raises(NothingToRecord):
        activity.decide_status_change("gepland", " ")


def test_a_closed_activity_takes_no_progress_notes() -> None:
    done = [
        PLANNED,
        ActivityStatusChanged("a1", "gepland", "lopend"),
        ActivityStatusChanged("a1", "lopend", "afgerond"),
    ]
    with pytest.raises(TransitionRefused) as refused:
        Activity.replay("a1", recorded(*done)).decide_status_change("afgerond", "nog iets")
    assert refused.value.code == "closed"


def test_a_note_longer_than_the_limit_is_refused() -> None:
    activity = Activity.replay("a1", recorded(PLANNED))
    with pytest.raises(NoteTooLong):
        activity.decide_status_change("lopend", "x" * (MAX_NOTE_LENGTH + 1))
    assert activity.decide_status_change("lopend", "x" * MAX_NOTE_LENGTH)


def test_events_round_trip_through_their_stored_form() -> None:
    for event in [
        PLANNED,
        ActivityStatusChanged("a1", "gepland", "lopend", "n"),
        ActivityNoteAdded("a1", "lopend", "n"),
    ]:
        assert decode(*encode(event)) == event


def test_decoding_ignores_fields_added_by_a_newer_version_and_refuses_unknown_types() -> None:
    type_name, data = encode(PLANNED)
    assert decode(type_name, {**data, "added_later": 1}) == PLANNED
    with pytest.raises(UnknownEventType):
        decode("ActivityRenamed", {})


def test_event_payloads_hold_ids_not_personal_data() -> None:
    _, data = encode(ActivityStatusChanged("a1", "gepland", "lopend", "n"))
    assert set(data) == {"activity_id", "from_status", "to_status", "note", "happened_on"}
