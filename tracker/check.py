"""Checking the store: every stream's versions run 1, 2, 3 … in position order, every event
reads as a known type of its stream's kind (an activity's or a plan's) and names that stream,
and the read models equal a full replay of the log. Used by `flask --app wsgi check-store`
after a crash, a restore or a manual repair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from events.store import EventStore
from tracker import projections
from tracker.domain.events import UndecodableEvent, UnknownEventType, decode_stored, stream_of

MAX_LISTED = 20


@dataclass
class StoreReport:
    events: int = 0
    streams: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems

    def note(self, problem: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)


def check_versions(connection: Connection, report: StoreReport) -> None:
    """Each event's version is one more than the previous event of its stream (a gap or a
    repeat would be a lost or half-written batch)."""
    last: dict[str, int] = {}
    for event in EventStore(connection).iter_all():
        report.events += 1
        expected = last.get(event.stream_id, 0) + 1
        if event.version != expected:
            report.note(
                f"stream {event.stream_id}: version {event.version} at position "
                f"{event.position}, expected {expected}"
            )
        try:
            decoded = decode_stored(event.stream_id, event.type, event.data)
        except UnknownEventType:
            report.note(
                f"position {event.position}: type {event.type} is unknown in stream "
                f"{event.stream_id}"
            )
        except (UndecodableEvent, ValueError) as error:
            report.note(f"position {event.position} cannot be read: {error}")
        else:
            if stream_of(decoded) != event.stream_id:
                report.note(
                    f"position {event.position}: a {event.type} of stream "
                    f"{stream_of(decoded)} is filed in stream {event.stream_id}"
                )
        last[event.stream_id] = event.version
    report.streams = len(last)


def check_read_models(connection: Connection, report: StoreReport) -> None:
    """Rebuild the read models in the caller's transaction and compare; the caller rolls back."""
    live = projections.snapshot(connection)
    try:
        projections.rebuild(connection)
    except (UndecodableEvent, ValueError) as error:
        report.note(f"the read models cannot be rebuilt: {error}")
        return
    replayed = projections.snapshot(connection)
    for table, rows in live.items():
        have, want = set(rows), set(replayed[table])
        for row in sorted(have ^ want, key=repr):
            side = "only in the read model" if row in have else "only in the replay"
            report.note(f"{table}: {side}: {row[0]!r}")


def check_store(connection: Connection) -> StoreReport:
    """Both checks; run it in a transaction that is rolled back afterwards."""
    report = StoreReport()
    check_versions(connection, report)
    check_read_models(connection, report)
    return report
