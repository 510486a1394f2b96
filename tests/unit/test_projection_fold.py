"""The read-model fold: one definition of how events change an activity's row."""

from datetime import UTC, datetime

from events.projections import evolve, fold
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
