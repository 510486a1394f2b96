"""The event-store contract, on a real SQLite file and a real PostgreSQL server.

append with an expected version, conflicts, read-back, append-only enforced by the database,
and concurrency: writers never lose an update and readers tailing by position skip nothing.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from events.store import ConcurrencyError, EventStore, NewEvent, _utc
from tracker import projections
from tracker.database import Database
from tracker.domain.activity import evolve

AT = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


def append(
    db: Database, stream: str, expected: int, *types: str, actor: int | None = 1
) -> list[int]:
    with db.unit_of_work() as uow:
        recorded = uow.events.append(
            stream,
            expected,
            [NewEvent(t, {"n": i, "tekst": "é"}) for i, t in enumerate(types)],
            actor=actor,
            recorded_at=AT,
        )
        uow.commit()
    return [event.version for event in recorded]


def test_appended_events_are_read_back_in_order_with_versions_and_positions(db: Database) -> None:
    assert append(db, "s1", 0, "A", "B") == [1, 2]
    assert append(db, "s2", 0, "C") == [1]
    assert append(db, "s1", 2, "D") == [3]
    with db.engine.connect() as connection:
        store = EventStore(connection)
        stream = store.read_stream("s1")
        assert [(e.version, e.type) for e in stream] == [(1, "A"), (2, "B"), (3, "D")]
        assert stream[0].data == {"n": 0, "tekst": "é"} and stream[0].actor == 1
        assert stream[0].recorded_at == AT
        everything = store.read_all()
        assert [e.type for e in everything] == ["A", "B", "C", "D"]
        assert everything[0] == stream[0]  # read by position: the same event, time in UTC
        assert everything[0].recorded_at.tzinfo is UTC
        assert list(store.iter_all(batch_size=3)) == everything
        positions = [e.position for e in everything]
        assert positions == sorted(positions) and len(set(positions)) == 4
        assert [e.type for e in store.read_all(after=positions[1])] == ["C", "D"]
        assert store.current_version("s1") == 3 and store.current_version("nope") == 0


def test_a_stale_expected_version_raises_and_writes_nothing(db: Database) -> None:
    append(db, "s1", 0, "A")
    with pytest.raises(ConcurrencyError) as conflict:
        append(db, "s1", 0, "B")
    assert (conflict.value.expected, conflict.value.actual) == (0, 1)
    with pytest.raises(ConcurrencyError):
        append(db, "s1", 5, "B")
    with db.engine.connect() as connection:
        assert [e.type for e in EventStore(connection).read_all()] == ["A"]


def test_a_refused_change_leaves_the_read_model_as_it_was(db: Database) -> None:
    """A stale change is refused before anything is written: log and read model unchanged."""
    planned = NewEvent("ActivityPlanned", {"activity_id": "a1", "plan_id": 7})
    with db.unit_of_work() as uow:
        recorded = uow.events.append("a1", 0, [planned], actor=None, recorded_at=AT)
        found = projections.recorded(recorded[0])
        assert found is not None
        activity = evolve(None, found)
        assert activity is not None
        projections.save(uow.connection, None, activity)
        uow.commit()
    with db.engine.connect() as connection:
        before = projections.snapshot(connection)
    changed = NewEvent("ActivityStatusChanged", {"from_status": "gepland", "to_status": "lopend"})
    with db.unit_of_work() as uow, pytest.raises(ConcurrencyError) as conflict:
        uow.events.append("a1", 0, [changed], actor=None, recorded_at=AT)
    assert (conflict.value.expected, conflict.value.actual) == (0, 1)
    with db.engine.connect() as connection:
        assert projections.snapshot(connection) == before
        assert before["activity_state"][0][2] == "gepland"
        assert EventStore(connection).current_version("a1") == 1


def test_the_unique_constraint_backs_up_the_version_check(db: Database) -> None:
    append(db, "s1", 0, "A")
    with db.write_engine.begin() as connection, pytest.raises(sa.exc.IntegrityError):
        connection.execute(
            sa.text(
                "INSERT INTO events (stream_id, version, type, data, actor, recorded_at) "
                "VALUES ('s1', 1, 'X', '{}', NULL, :at)"
            ),
            {"at": AT},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET type = 'Changed'",
        "UPDATE events SET data = '{}' WHERE version = 1",
        "DELETE FROM events",
        "DELETE FROM events WHERE stream_id = 's1'",
    ],
)
def test_the_database_refuses_to_update_or_delete_events(db: Database, statement: str) -> None:
    append(db, "s1", 0, "A", "B")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with db.write_engine.begin() as connection:
            connection.exec_driver_sql(statement)
    with db.engine.connect() as connection:
        assert [e.type for e in EventStore(connection).read_all()] == ["A", "B"]


@pytest.mark.postgres
def test_postgres_also_refuses_truncate(postgres_url: str) -> None:
    database = Database(postgres_url)
    database.create_schema()
    append(database, "s1", 0, "A")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with database.write_engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE events")
    database.dispose()


def test_creating_the_schema_twice_is_harmless(db: Database) -> None:
    append(db, "s1", 0, "A")
    db.create_schema()
    assert append(db, "s1", 1, "B") == [2]


WRITERS = 10
APPENDS_PER_WRITER = 25
SHARED_STREAMS = 3


def test_concurrent_writers_lose_no_update_and_tailing_readers_skip_no_event(db: Database) -> None:
    """10 writers append to 3 shared streams with optimistic retries while 2 readers tail."""
    acknowledged: list[tuple[str, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    writers_done = threading.Event()
    deadline = time.monotonic() + 120  # bounded: the test stops by itself

    def writer(index: int) -> None:
        rng = random.Random(index)
        try:
            for n in range(APPENDS_PER_WRITER):
                stream = f"shared-{rng.randrange(SHARED_STREAMS)}"
                while time.monotonic() < deadline:
                    with db.engine.connect() as connection:
                        expected = EventStore(connection).current_version(stream)
                    try:
                        versions = append(db, stream, expected, f"W{index}-{n}", actor=index)
                    except ConcurrencyError:
                        continue  # someone else won: read again and retry
                    with lock:
                        acknowledged.append((stream, versions[0]))
                    break
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    seen: list[list[int]] = [[], []]

    def reader(index: int) -> None:
        after = 0
        try:
            while time.monotonic() < deadline:
                finished = writers_done.is_set()
                with db.engine.connect() as connection:
                    batch = EventStore(connection).read_all(after=after, limit=50)
                for event in batch:
                    seen[index].append(event.position)
                    after = event.position
                if finished and not batch:
                    return
                if not batch:
                    time.sleep(0.001)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    readers = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for thread in readers + threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=150)
    writers_done.set()
    for thread in readers:
        thread.join(timeout=30)

    assert not errors, errors
    assert len(acknowledged) == WRITERS * APPENDS_PER_WRITER
    with db.engine.connect() as connection:
        store = EventStore(connection)
        everything = store.read_all()
        # No lost update: every acknowledged append is in the log, each version exactly once.
        stored = {(e.stream_id, e.version) for e in everything}
        assert stored == set(acknowledged)
        for stream in {s for s, _ in acknowledged}:
            versions = [e.version for e in store.read_stream(stream)]
            assert versions == list(range(1, len(versions) + 1))
    # No skipped event: each tailing reader saw every position, in order, exactly once.
    all_positions = [e.position for e in everything]
    for positions in seen:
        assert positions == all_positions


def test_sqlite_writers_queue_for_the_write_lock_rather_than_poll_it(sqlite_url: str) -> None:
    """A unit of work holds the SQLite write queue until it ends, also when it fails."""
    db = Database(sqlite_url)
    db.create_schema()
    queue = db.write_queue
    assert queue is not None
    took: list[bool] = []

    def try_to_write() -> None:
        took.append(queue._threads.acquire(timeout=0.05))
        if took[-1]:
            queue._threads.release()

    with db.unit_of_work():
        waiting = threading.Thread(target=try_to_write)
        waiting.start()
        waiting.join()
    assert took == [False]
    with pytest.raises(RuntimeError), db.unit_of_work():
        raise RuntimeError("refused")
    try_to_write()
    assert took == [False, True]
    assert append(db, "s1", 0, "A") == [1]
    db.dispose()


@pytest.mark.postgres
def test_postgres_needs_no_write_queue(postgres_url: str) -> None:
    db = Database(postgres_url)
    assert db.write_queue is None
    db.dispose()


def test_a_unit_of_work_cannot_be_used_after_its_commit(db: Database) -> None:
    """The write path runs on the driver: after the commit it would run outside any
    transaction (autocommitted on SQLite, lost on PostgreSQL), so it must fail instead."""
    with db.unit_of_work() as uow:
        uow.events.append("s1", 0, [NewEvent("A", {})], actor=None, recorded_at=AT)
        uow.commit()
        with pytest.raises(sa.exc.ResourceClosedError):
            uow.events.append("s1", 1, [NewEvent("B", {})], actor=None, recorded_at=AT)
    with db.engine.connect() as connection:
        assert [e.type for e in EventStore(connection).read_all()] == ["A"]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2021-03-01 12:00:00.000000", AT),  # as SQLAlchemy writes it on SQLite
        ("2021-03-01 12:00:00", AT),
        ("2021-03-01 13:00:00+01:00", AT),
        ("2021-03-01T12:00:00.000000+00:00", AT),
        (AT, AT),  # as psycopg gives it in a UTC session
        (AT.astimezone(timezone(timedelta(hours=1))), AT),  # a session in another zone
        (AT.replace(tzinfo=None), AT),  # a naive time is UTC (SQLite through SQLAlchemy)
    ],
)
def test_times_come_back_in_utc(stored: str | datetime, expected: datetime) -> None:
    moment = _utc(stored)
    assert moment == expected and moment.tzinfo is UTC


def test_stored_times_are_read_back_in_utc(db: Database) -> None:
    append(db, "s1", 0, "A")
    with db.engine.connect() as connection:
        (event,) = EventStore(connection).read_all()
        assert event.recorded_at == AT and event.recorded_at.tzinfo is UTC
        assert list(EventStore(connection).iter_all()) == [event]


def test_postgres_sessions_are_in_utc_and_keep_the_urls_options(postgres_url: str) -> None:
    url = sa.make_url(postgres_url).update_query_dict({"options": "-c statement_timeout=5000"})
    database = Database(url.render_as_string(hide_password=False))
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW TimeZone").scalar_one() == "UTC"
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar_one() == "5s"
    finally:
        database.dispose()
