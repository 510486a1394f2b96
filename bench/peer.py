"""The peer: the eventsourcing library (PyPI `eventsourcing`, 9.x) doing the tracker's work.

Row 1 compares the tracker's status changes with the library's (an `Aggregate` with a
status-changed event, an `Application` on its own SQLite or PostgreSQL persistence
module): each change is `repository.get` (the library replays the stream; it keeps no
snapshot unless told to), the aggregate's decision, and `save`, one transaction. Row 3
compares the tracker's rebuild with the library reconstructing every aggregate from its
stream. The peer's store is loaded with the same generated events as the tracker's.

Same durability as the tracker: on SQLite the library already uses WAL; its connections
get the tracker's `synchronous=NORMAL` (the library leaves SQLite's FULL) and its
checkpoint interval (events/database.py). PostgreSQL runs with the server's settings for
both (synchronous_commit on).

Needs the `bench` dependency group (`uv sync --group bench`); without it the peer's rows
say so instead of a figure.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.baselines import NEXT_STATUS
from bench.dataset import Dataset
from events.database import SQLITE_WAL_AUTOCHECKPOINT_PAGES
from tracker.domain.status import ALLOWED_TRANSITIONS, Status

try:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event
    from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
except ImportError:  # the bench group is not installed
    AVAILABLE = False
else:
    AVAILABLE = True

MISSING = "not measured: eventsourcing not installed (uv sync --group bench)"
SHORT_ACTIVITIES, SHORT_CHANGES = 2000, 5  # the short streams: 2,000 activities × 5 changes
BATCH = 5000

if AVAILABLE:

    class PeerActivity(Aggregate):
        """An activity as the library's aggregate: planned, status changed, note added."""

        class Planned(Aggregate.Created):
            plan_id: int
            source: str

        class StatusChanged(Aggregate.Event):
            from_status: str
            to_status: str
            note: str

        class NoteAdded(Aggregate.Event):
            status: str
            note: str

        @event(Planned)
        def __init__(self, plan_id: int, source: str) -> None:
            self.plan_id = plan_id
            self.status = Status.GEPLAND.value
            self.last_note = ""

        @event(StatusChanged)
        def change_status(self, from_status: str, to_status: str, note: str) -> None:
            self.status = to_status
            self.last_note = note

        @event(NoteAdded)
        def add_note(self, status: str, note: str) -> None:
            self.last_note = note

        def decide_status(self, to_status: str, note: str) -> None:
            """The tracker's rule (tracker.domain.status), then the event."""
            if Status(to_status) not in ALLOWED_TRANSITIONS[Status(self.status)]:
                raise ValueError(f"{self.status} → {to_status} is not allowed")
            self.change_status(self.status, to_status, note)

    class SameDurabilityPool(SQLiteConnectionPool):
        """The library's SQLite pool, its connections set up as the tracker's."""

        def _create_connection(self) -> SQLiteConnection:
            connection = super()._create_connection()
            # The library keeps the sqlite3 connection private; the pragmas are per connection.
            raw = connection._sqlite_conn  # noqa: SLF001
            raw.execute("PRAGMA synchronous=NORMAL")
            raw.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
            return connection

    class SameDurabilitySQLiteFactory(SQLiteFactory):
        """The library's SQLite persistence module with `SameDurabilityPool`."""

        def __init__(self, env: Any) -> None:
            super().__init__(env)
            pool = self.datastore.pool
            self.datastore.pool = SameDurabilityPool(
                db_name=pool.db_name, lock_timeout=pool.lock_timeout
            )
            pool.close()


def _peer_env(url: str) -> dict[str, str]:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        return {
            "PERSISTENCE_MODULE": f"{__name__}:SameDurabilitySQLiteFactory",
            "SQLITE_DBNAME": str(Path(parsed.database).with_name("peer.db")),
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parsed.database or "postgres",
        "POSTGRES_HOST": parsed.host or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or "postgres",
        "POSTGRES_PASSWORD": parsed.password or "",
    }


@contextmanager
def peer_application(url: str) -> Iterator[Any]:
    """The library's Application on a store next to the tracker's: a file `peer.db` beside a
    SQLite database, the table `stored_events` in the same PostgreSQL database."""
    app: Any = Application(env=_peer_env(url))
    try:
        yield app
    finally:
        app.close()


def load(app: Any, data: Dataset) -> None:
    """Write the generated log into the peer's store, as the library's own events (untimed)."""
    topic = f"{__name__}:PeerActivity"
    to_stored = app.mapper.to_stored_event
    kinds: Any = PeerActivity  # its event classes are made by the library's metaclass
    stored: list[Any] = []
    for _position, stream_id, version, type_name, payload, _actor, at in data.events:
        fields = json.loads(payload)
        originator = uuid.UUID(stream_id)
        made: Any
        if type_name == "ActivityPlanned":
            made = kinds.Planned(
                originator_id=originator,
                originator_version=version,
                timestamp=at,
                originator_topic=topic,
                plan_id=fields["plan_id"],
                source=fields.get("source", ""),
            )
        elif type_name == "ActivityStatusChanged":
            made = kinds.StatusChanged(
                originator_id=originator,
                originator_version=version,
                timestamp=at,
                from_status=fields["from_status"],
                to_status=fields["to_status"],
                note=fields.get("note", ""),
            )
        else:
            made = kinds.NoteAdded(
                originator_id=originator,
                originator_version=version,
                timestamp=at,
                status=fields.get("status", ""),
                note=fields.get("note", ""),
            )
        stored.append(to_stored(made))
        if len(stored) >= BATCH:
            app.recorder.insert_events(stored)
            stored = []
    if stored:
        app.recorder.insert_events(stored)


def change(app: Any, activity_id: uuid.UUID, note: str) -> None:
    """One status change the library's way: load (replay), decide, save (one transaction)."""
    activity = app.repository.get(activity_id)
    activity.decide_status(NEXT_STATUS[activity.status], note)
    app.save(activity)


def long_streams(
    app: Any, targets: Sequence[str], seconds: float, limit: int = 1_000_000
) -> tuple[int, float]:
    """Status changes on the generated activities (~25 events each), visited in turn as
    `bench.commands` visits them: (changes, elapsed seconds)."""
    ids = [uuid.UUID(activity_id) for activity_id in targets]
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    for activity_id in itertools.cycle(ids):
        if done >= limit or time.perf_counter() >= deadline:
            break
        change(app, activity_id, f"bench {done}")
        done += 1
    return done, time.perf_counter() - start


class ShortStreams:
    """SHORT_ACTIVITIES new activities (planned, untimed), then SHORT_CHANGES changes each,
    in turn, so their streams are 1–6 events long; `run` goes on where the last run ended."""

    def __init__(self, app: Any, activities: int = SHORT_ACTIVITIES) -> None:
        fresh = [PeerActivity(plan_id=0, source="bench") for _ in range(activities)]
        for first in range(0, len(fresh), 500):
            app.save(*fresh[first : first + 500])
        self._app = app
        self._turns = iter([a.id for _ in range(SHORT_CHANGES) for a in fresh])
        self._done = 0

    def run(self, seconds: float) -> tuple[int, float]:
        """Changes for `seconds` (or until every activity had its changes): (changes, s)."""
        done = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            activity_id = next(self._turns, None)
            if activity_id is None:
                break
            change(self._app, activity_id, f"bench {self._done}")
            self._done += 1
            done += 1
        return done, time.perf_counter() - start


def replay(app: Any, stream_ids: Sequence[str]) -> tuple[int, float]:
    """Reconstruct every aggregate from its stream (the library's replay): (events, seconds)."""
    events = 0
    start = time.perf_counter()
    for stream_id in stream_ids:
        events += app.repository.get(uuid.UUID(stream_id)).version
    return events, time.perf_counter() - start
