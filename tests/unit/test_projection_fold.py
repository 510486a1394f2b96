"""The read-model fold: one definition of how events change an activity's row."""

from datetime import UTC, datetime

from events.projections import ActivityRow, evolve, fold
from events.store import RecordedEvent

T0 = datetime(2021, 1, 4, tzinfo=UTC)


def event(
    position: int, stream: str, version: int, type_: str, actor: int | None = None, **data: object
) -> RecordedEvent:
    return RecordedEvent(position, stream, version, type_, data, actor, T0.replace(day=position))


def test_fold_gives_status_version_last_update_and_last_note() -> None:
    rows = fold(
        [
            event(1, "a", 1, "ActivityPlanned", plan_id=3),
            event(2, "b", 1, "ActivityPlanned", plan_id=3),
            event(
                3,
                "a",
                2,
                "ActivityStatusChanged",
                5,
                from_status="gepland",
                to_status="lopend",
                note="start",
            ),
            event(4, "a", 3, "ActivityNoteAdded", 6, status="lopend", note="verder"),
            event(
                5,
                "a",
                4,
                "ActivityStatusChanged",
                5,
                from_status="lopend",
                to_status="afgerond",
                note="",
            ),
        ]
    )
    a = rows["a"]
    assert (a.status, a.version, a.last_update_by, a.last_note) == ("afgerond", 4, 5, "verder")
    assert a.last_update_at == T0.replace(day=5)
    assert rows["b"].status == "gepland" and rows["b"].last_update_at is None


def test_events_of_unknown_types_still_advance_the_version() -> None:
    planned = evolve(None, event(1, "a", 1, "ActivityPlanned", plan_id=1))
    later = evolve(planned, event(2, "a", 2, "ReminderSent", kind="quarterly"))
    assert later is not None and later.version == 2 and later.status == "gepland"


def test_events_of_streams_that_are_not_activities_are_ignored() -> None:
    assert fold([event(1, "x", 1, "ActivityNoteAdded", status="lopend", note="n")]) == {}


def test_notes_and_status_changes_set_every_field_in_its_place() -> None:
    """The two frequent events build their rows by position: each field checked by name."""
    before = ActivityRow(
        activity_id="a",
        plan_id=3,
        status="lopend",
        version=7,
        planned_at=T0,
        last_update_at=T0.replace(day=2),
        last_update_by=4,
        last_note="eerder",
        carried_from="a-2020",
        carried_to="a-2022",
        decided_version=6,
    )
    noted = evolve(before, event(9, "a", 8, "ActivityNoteAdded", 5, status="lopend", note="nu"))
    assert noted == before._replace(
        version=8,
        last_update_at=T0.replace(day=9),
        last_update_by=5,
        last_note="nu",
        decided_version=8,
    )
    assert type(noted) is ActivityRow and noted.decided_version == 8
    changed = evolve(
        before,
        event(10, "a", 8, "ActivityStatusChanged", 6, from_status="lopend", to_status="afgerond"),
    )
    assert changed == before._replace(
        status="afgerond",
        version=8,
        last_update_at=T0.replace(day=10),
        last_update_by=6,
        decided_version=8,
    )
    assert type(changed) is ActivityRow and changed.last_note == "eerder"
